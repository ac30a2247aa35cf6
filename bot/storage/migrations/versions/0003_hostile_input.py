"""Hostile feeds and outages: why an entry was not briefed, delivery retry state.

- ``articles.error``: an entry recorded as seen without a briefing keeps the reason (refused link,
  briefing failure, duplicate text), so it costs nothing on the next poll.
- ``channels.retry_at``: a channel whose platform was unreachable waits until then (exponential backoff).
- ``deliveries.failing_since``: when the current run of failed attempts began (retried for a period).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("failing_since")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("retry_at")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("error")
