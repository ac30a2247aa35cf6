"""A chat's ``max_bullets`` is NULL unless it chose its own: the operator's setting then applies to it.

Until now every new channel stored the column default (6), so an operator's ``max_bullets`` reached only
chats the bot had never seen. No command ever set a chat's own value, so the stored 6s are the old
default and become NULL; any other value was set deliberately and is kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_DEFAULT = 6


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.alter_column("max_bullets", existing_type=sa.Integer(), nullable=True)
    op.execute(sa.text(f"UPDATE channels SET max_bullets = NULL WHERE max_bullets = {OLD_DEFAULT}"))


def downgrade() -> None:
    op.execute(sa.text(f"UPDATE channels SET max_bullets = {OLD_DEFAULT} WHERE max_bullets IS NULL"))
    with op.batch_alter_table("channels") as batch:
        batch.alter_column("max_bullets", existing_type=sa.Integer(), nullable=False)
