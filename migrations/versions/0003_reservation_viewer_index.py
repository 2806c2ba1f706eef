"""reservation: lead the per-viewer index with viewer_id

The order-id probe of the reservation desk (`show_id = ? AND order_id = ?`) must use the
unique (show_id, order_id) index. While a show's reservations have no statistics yet (a fresh
database, or a new show before autovacuum analyzes it), PostgreSQL costed the (show_id, sku,
viewer_id) index the same and sometimes chose it, filtering every reservation of the show for
each probed order id: a 500-order batch took 80 ms at 2,500 rows instead of under 1 ms. With
viewer_id first, that index no longer matches the probe; the per-viewer limit still uses it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index("ix_reservation_show_sku_viewer")
        batch_op.create_index(
            "ix_reservation_viewer_show_sku", ["viewer_id", "show_id", "sku"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index("ix_reservation_viewer_show_sku")
        batch_op.create_index(
            "ix_reservation_show_sku_viewer", ["show_id", "sku", "viewer_id"], unique=False
        )
