"""commerce and moderation (issue #11): coupon, lucky_bag, viewer_ban, hidden_comment,
room_moderation; show.pinned_sku, show.announcement; held actions on show_action

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "room_moderation",
        sa.Column("room", sa.String(length=200), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_label", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("room", name=op.f("pk_room_moderation")),
    )
    op.create_table(
        "coupon",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("coupon_id", sa.String(length=64), nullable=False),
        sa.Column("amount_off", sa.BigInteger(), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('issued', 'stopped')", name=op.f("ck_coupon_state_known")),
        sa.ForeignKeyConstraint(["show_id"], ["show.id"], name=op.f("fk_coupon_show_id_show")),
        sa.PrimaryKeyConstraint("show_id", "coupon_id", name=op.f("pk_coupon")),
    )
    op.create_table(
        "hidden_comment",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_label", sa.String(length=200), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["show_id"], ["show.id"], name=op.f("fk_hidden_comment_show_id_show")
        ),
        sa.PrimaryKeyConstraint("show_id", "event_id", name=op.f("pk_hidden_comment")),
    )
    op.create_table(
        "lucky_bag",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("bag_id", sa.String(length=64), nullable=False),
        sa.Column("prize", sa.String(length=200), nullable=False),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("candidates", sa.Integer(), nullable=True),
        sa.Column("winner_ids", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "condition IN ('comment', 'follow')", name=op.f("ck_lucky_bag_condition_known")
        ),
        sa.CheckConstraint("state IN ('running', 'drawn')", name=op.f("ck_lucky_bag_state_known")),
        sa.ForeignKeyConstraint(["show_id"], ["show.id"], name=op.f("fk_lucky_bag_show_id_show")),
        sa.PrimaryKeyConstraint("show_id", "bag_id", name=op.f("pk_lucky_bag")),
    )
    op.create_table(
        "viewer_ban",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=200), nullable=True),
        sa.Column("viewer_id", sa.String(length=128), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("banned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("banned_by_label", sa.String(length=200), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_label", sa.String(length=200), nullable=True),
        sa.CheckConstraint("scope IN ('show', 'room')", name=op.f("ck_viewer_ban_scope_known")),
        sa.ForeignKeyConstraint(["show_id"], ["show.id"], name=op.f("fk_viewer_ban_show_id_show")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_viewer_ban")),
    )
    with op.batch_alter_table("viewer_ban", schema=None) as batch_op:
        batch_op.create_index("ix_viewer_ban_room_viewer", ["room", "viewer_id"], unique=False)
        batch_op.create_index("ix_viewer_ban_show_viewer", ["show_id", "viewer_id"], unique=False)

    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pinned_sku", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("announcement", sa.Text(), nullable=True))

    with op.batch_alter_table("show_action", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="applied", nullable=False)
        )
        batch_op.add_column(sa.Column("applies_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("undone_by_label", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("undone_by_role", sa.String(length=24), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("show_action", schema=None) as batch_op:
        batch_op.drop_column("undone_by_role")
        batch_op.drop_column("undone_by_label")
        batch_op.drop_column("undone_at")
        batch_op.drop_column("applies_at")
        batch_op.drop_column("state")

    with op.batch_alter_table("show", schema=None) as batch_op:
        batch_op.drop_column("announcement")
        batch_op.drop_column("pinned_sku")

    with op.batch_alter_table("viewer_ban", schema=None) as batch_op:
        batch_op.drop_index("ix_viewer_ban_show_viewer")
        batch_op.drop_index("ix_viewer_ban_room_viewer")

    op.drop_table("viewer_ban")
    op.drop_table("lucky_bag")
    op.drop_table("hidden_comment")
    op.drop_table("coupon")
    op.drop_table("room_moderation")
