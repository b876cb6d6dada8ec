"""township grants of users: a user with none works on every township

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:35:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows: every existing user keeps every township.
    op.create_table('user_township',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_user_township_township_id_township'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_township_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_township')),
    sa.UniqueConstraint('user_id', 'township_id', name=op.f('uq_user_township_user_id'))
    )
    with op.batch_alter_table('user_township', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_township_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_township', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_township_user_id'))

    op.drop_table('user_township')
