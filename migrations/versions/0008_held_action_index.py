"""show_action: a partial index on the held actions' applies_at, for the appliers' poll

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HELD = sa.text("state = 'held'")


def upgrade() -> None:
    with op.batch_alter_table("show_action", schema=None) as batch_op:
        batch_op.create_index(
            "ix_show_action_held",
            ["applies_at"],
            unique=False,
            sqlite_where=_HELD,
            postgresql_where=_HELD,
        )


def downgrade() -> None:
    with op.batch_alter_table("show_action", schema=None) as batch_op:
        batch_op.drop_index("ix_show_action_held")
