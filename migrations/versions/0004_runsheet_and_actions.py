"""run-sheet and actions: runsheet, runsheet_segment, show_action

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runsheet",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("current_segment_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["show.id"], name=op.f("fk_runsheet_show_id_show")),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_runsheet")),
    )
    op.create_table(
        "runsheet_segment",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("planned_seconds", sa.Integer(), nullable=False),
        sa.Column("beat", sa.String(length=16), nullable=True),
        sa.Column("fabe", sa.JSON(), nullable=True),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("spent_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["show_id"], ["show.id"], name=op.f("fk_runsheet_segment_show_id_show")
        ),
        sa.PrimaryKeyConstraint("show_id", "segment_id", name=op.f("pk_runsheet_segment")),
    )
    op.create_table(
        "show_action",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_label", sa.String(length=200), nullable=False),
        sa.Column("by_role", sa.String(length=24), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_by_label", sa.String(length=200), nullable=True),
        sa.Column("acked_by_role", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(["show_id"], ["show.id"], name=op.f("fk_show_action_show_id_show")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_show_action")),
    )
    with op.batch_alter_table("show_action", schema=None) as batch_op:
        batch_op.create_index("ix_show_action_show_id", ["show_id", "id"], unique=False)
        batch_op.create_index("ix_show_action_show_type", ["show_id", "type", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("show_action", schema=None) as batch_op:
        batch_op.drop_index("ix_show_action_show_type")
        batch_op.drop_index("ix_show_action_show_id")
    op.drop_table("show_action")
    op.drop_table("runsheet_segment")
    op.drop_table("runsheet")
