"""users' real names; the demo marker of a database; each township's units for the catalogue's roles

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('real_name', sa.String(length=64), nullable=False, server_default='')
        )
    op.create_table('database_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_database_setting'))
    )
    op.create_table('township_unit_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_township_unit_role_township_id_township'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_township_unit_role_unit_id_unit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_township_unit_role')),
    sa.UniqueConstraint('township_id', 'role', name=op.f('uq_township_unit_role_township_id'))
    )
    with op.batch_alter_table('township_unit_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_township_unit_role_township_id'), ['township_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('township_unit_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_township_unit_role_township_id'))
    op.drop_table('township_unit_role')
    op.drop_table('database_setting')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('real_name')
