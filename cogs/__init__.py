"""Thin discord.py cogs: interactions in, core calls, messages out."""
