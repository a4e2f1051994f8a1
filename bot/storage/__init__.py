"""All of the bot's SQL: the connection, the migrations and one repository per aggregate."""

from bot.storage.db import Database
from bot.storage.groups import SqliteGroupStore

__all__ = ["Database", "SqliteGroupStore"]
