"""users and the append-only audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:10:00
"""

from alembic import op
import sqlalchemy as sa

from desktop.models.database import drop_trigger, refusing_trigger


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The log cannot be edited from the application: the database itself refuses UPDATE and
# DELETE (a trigger on SQLite and on PostgreSQL).
AUDIT_TRIGGERS = (
    ('audit_entry_no_update', 'UPDATE', '审计日志不可修改'),
    ('audit_entry_no_delete', 'DELETE', '审计日志不可删除'),
)


def upgrade() -> None:
    op.create_table(
        'app_user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=128), nullable=False),
        sa.Column('password_salt', sa.String(length=64), nullable=False),
        sa.Column('password_params', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_sign_in', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
        sa.UniqueConstraint('name', name=op.f('uq_app_user_name')),
    )
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_name', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('record_label', sa.String(length=128), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=128), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('new_value', sa.Text(), nullable=True),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_audit_entry_household_id'), ['household_id'], unique=False
        )
        batch_op.create_index('ix_audit_entry_record', ['table_name', 'record_id'], unique=False)
    conn = op.get_bind()
    for name, event, message in AUDIT_TRIGGERS:
        for sql in refusing_trigger(conn, name, 'audit_entry', event, message):
            op.execute(sql)


def downgrade() -> None:
    conn = op.get_bind()
    op.execute(drop_trigger(conn, 'audit_entry_no_delete', 'audit_entry'))
    op.execute(drop_trigger(conn, 'audit_entry_no_update', 'audit_entry'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_record')
        batch_op.drop_index(batch_op.f('ix_audit_entry_household_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
    op.drop_table('audit_entry')
    op.drop_table('app_user')
