"""event.intent: what a comment wants (contract §11), classified as it is ingested

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: events other than comments have none, and comments stored before this
    # revision are classified when they are read.
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intent", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("intent")
