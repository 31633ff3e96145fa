"""tags and moods

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-11 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("label"),
    )
    op.create_table(
        "entry_tag",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"]),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"]),
        sa.PrimaryKeyConstraint("entry_id", "tag_id"),
    )
    with op.batch_alter_table("entry") as batch_op:
        batch_op.add_column(sa.Column("mood", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("entry") as batch_op:
        batch_op.drop_column("mood")
    op.drop_table("entry_tag")
    op.drop_table("tag")
