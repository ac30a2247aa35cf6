"""Storage: SQLAlchemy tables, the `Repository` contract and its SQL implementation, Alembic migrations."""

from bot.storage.db import default_database_url, open_database, upgrade_database
from bot.storage.repository import ChannelRow, DeliveryRow, FeedRow, Repository, SqlRepository

__all__ = [
    "ChannelRow",
    "DeliveryRow",
    "FeedRow",
    "Repository",
    "SqlRepository",
    "default_database_url",
    "open_database",
    "upgrade_database",
]
