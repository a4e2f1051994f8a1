"""Meetings without Discord or the database: parsing, recurrence, the window, reminders, attendance, exports."""
