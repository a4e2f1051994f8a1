"""balint-bot: a Discord bot that facilitates remote Balint groups."""

__version__ = "0.1.0"
