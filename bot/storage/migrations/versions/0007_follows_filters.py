"""Follows, keyword filters and stories at ingest (issue 13).

- ``follows``: a channel follows an actor by key (`briefings.names.actor_key`), with the name as typed;
  one row per (channel, key).
- ``subscriptions.filter``: a subscription's keyword filter (`briefings.keywords`, its canonical text);
  ``NULL``: every article of the feed.
- ``articles.story_id``: the story the ingest clusterer put the article in (`bot.story_index`), indexed
  so a story's other sources are one lookup. Articles stored before stay without one (digests cluster them).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("actor_key", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_follows_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("channel_id", "actor_key", name="uq_follows_channel_id_actor_key"),
    )
    op.create_index(op.f("ix_follows_actor_key"), "follows", ["actor_key"])
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("filter", sa.Text(), nullable=True))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("story_id", sa.String(32), nullable=True))
    op.create_index(op.f("ix_articles_story_id"), "articles", ["story_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_articles_story_id"), table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("story_id")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("filter")
    op.drop_index(op.f("ix_follows_actor_key"), table_name="follows")
    op.drop_table("follows")
