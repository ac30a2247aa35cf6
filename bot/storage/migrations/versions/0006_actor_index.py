"""The actor index: ``actor_mentions``, one row per (actor key, briefing, claim) and per key actor.

``/said <actor> 7d`` reads it with one range scan of ``(actor_key, role, published_at)``. Keys are made by
`briefings.names`; briefings stored before this migration are indexed by it (in batches), so an existing
archive answers ``/said`` at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500


def upgrade() -> None:
    op.create_table(
        "actor_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_key", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(128), nullable=True),
        sa.Column("claim_no", sa.Integer(), nullable=False),
        sa.Column("claim_text", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("cue", sa.String(100), nullable=True),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefings.id"],
            name=op.f("fk_actor_mentions_briefing_id_briefings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_mentions")),
        sa.UniqueConstraint(
            "briefing_id", "actor_key", "role", "claim_no", name=op.f("uq_actor_mentions_briefing_id")
        ),
    )
    op.create_index(
        "ix_actor_mentions_key_role_published", "actor_mentions", ["actor_key", "role", "published_at"]
    )
    if not context.is_offline_mode():  # an SQL script (alembic --sql) creates the table only
        _index_stored_briefings()


def downgrade() -> None:
    op.drop_index("ix_actor_mentions_key_role_published", table_name="actor_mentions")
    op.drop_table("actor_mentions")


def _index_stored_briefings() -> None:
    """Index the briefings already stored, with the same rows `SqlRepository` writes for a new one."""
    from bot.storage.repository import index_rows  # the app's code: the same keys as new briefings get

    bind = op.get_bind()
    briefings = sa.table(
        "briefings",
        sa.column("id", sa.Integer()),
        sa.column("article_id", sa.Integer()),
        sa.column("data", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    articles = sa.table(
        "articles", sa.column("id", sa.Integer()), sa.column("published", sa.DateTime(timezone=True))
    )
    mentions = sa.table("actor_mentions", *(sa.column(c) for c in _COLUMNS))
    last = 0
    while True:
        batch = bind.execute(
            sa.select(
                briefings.c.id,
                briefings.c.article_id,
                briefings.c.data,
                briefings.c.created_at,
                articles.c.published,
            )
            .join(articles, articles.c.id == briefings.c.article_id)
            .where(briefings.c.id > last)
            .order_by(briefings.c.id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        rows: list[dict[str, Any]] = []
        for briefing_id, article_id, data, created_at, published in batch:
            when = _aware(published) or _aware(created_at) or datetime.now(UTC)
            # the columns of this revision only: a later one may index more
            rows.extend(
                {c: row[c] for c in _COLUMNS}
                for row in index_rows(briefing_id, article_id, data, published_at=when)
            )
        if rows:
            bind.execute(
                sa.insert(mentions), [_naive(row) if bind.dialect.name == "sqlite" else row for row in rows]
            )
        last = batch[-1][0]


_COLUMNS = (
    "actor_key",
    "role",
    "name",
    "briefing_id",
    "article_id",
    "story_id",
    "claim_no",
    "claim_text",
    "kind",
    "cue",
    "lang",
    "published_at",
)


def _aware(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _naive(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite stores UTC without an offset (as `bot.storage.tables.UTCDateTime` does)."""
    return {**row, "published_at": row["published_at"].astimezone(UTC).replace(tzinfo=None)}
