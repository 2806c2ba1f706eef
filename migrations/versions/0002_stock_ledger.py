"""stock ledger: stock_item, reservation, stock_moment

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reservation",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("viewer_id", sa.String(length=128), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("available_after", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sale_seq", sa.Integer(), nullable=True),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("expires_us", sa.BigInteger(), nullable=True),
        sa.Column("settled_us", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
        sa.UniqueConstraint("show_id", "order_id", name="uq_reservation_show_id_order_id"),
    )
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reservation_show_sku_viewer", ["show_id", "sku", "viewer_id"], unique=False
        )
        batch_op.create_index("ix_reservation_state_expires", ["state", "expires_us"], unique=False)

    op.create_table(
        "stock_moment",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ts_us", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moment")),
    )
    with op.batch_alter_table("stock_moment", schema=None) as batch_op:
        batch_op.create_index("ix_stock_moment_show_ts", ["show_id", "ts_us"], unique=False)

    op.create_table(
        "stock_item",
        sa.Column("show_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("allocated", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("sold", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("limit_per_viewer", sa.Integer(), nullable=True),
        sa.Column("sale_cap", sa.BigInteger(), nullable=True),
        sa.Column("sale_remaining", sa.BigInteger(), nullable=True),
        sa.Column("sale_starts_us", sa.BigInteger(), nullable=True),
        sa.Column("sale_stopped_us", sa.BigInteger(), nullable=True),
        sa.Column("sale_seq", sa.Integer(), nullable=False),
        sa.Column("sold_out_us", sa.BigInteger(), nullable=True),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.Column("rev", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "allocated = reserved + sold + available", name=op.f("ck_stock_item_ledger_balances")
        ),
        sa.CheckConstraint("available >= 0", name=op.f("ck_stock_item_available_not_negative")),
        sa.CheckConstraint(
            "reserved >= 0 AND sold >= 0", name=op.f("ck_stock_item_counts_not_negative")
        ),
        sa.CheckConstraint(
            "sale_remaining IS NULL OR sale_remaining >= 0",
            name=op.f("ck_stock_item_sale_not_negative"),
        ),
        sa.ForeignKeyConstraint(["show_id"], ["show.id"], name=op.f("fk_stock_item_show_id_show")),
        sa.PrimaryKeyConstraint("show_id", "sku", name=op.f("pk_stock_item")),
    )


def downgrade() -> None:
    op.drop_table("stock_item")
    with op.batch_alter_table("stock_moment", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moment_show_ts")

    op.drop_table("stock_moment")
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index("ix_reservation_state_expires")
        batch_op.drop_index("ix_reservation_show_sku_viewer")

    op.drop_table("reservation")
