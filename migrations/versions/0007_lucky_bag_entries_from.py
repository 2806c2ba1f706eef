"""lucky_bag.entries_from: whether a bag's condition counts from the show's start or the bag's

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lucky_bag", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("entries_from", sa.String(length=16), server_default="show", nullable=False)
        )
        batch_op.create_check_constraint(
            "entries_from_known", sa.text("entries_from IN ('show', 'start')")
        )


def downgrade() -> None:
    with op.batch_alter_table("lucky_bag", schema=None) as batch_op:
        batch_op.drop_constraint("entries_from_known", type_="check")
        batch_op.drop_column("entries_from")
