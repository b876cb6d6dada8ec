"""exchange packages between offline PCs: a uid on every exchanged record, packages sent and
received, the digests last agreed with each peer, conflicts, audit entries of other PCs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:30:00

Independent of 0012 (written at the same time): only new columns, indexes and tables.
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Frozen here: the tables as this revision knows them (models/exchange.py may grow).
TABLES = (
    'county', 'township', 'village', 'village_group', 'household', 'member', 'campaign',
    'form_record', 'unit', 'person', 'problem', 'problem_event', 'problem_extension',
    'problem_attachment',
)
_PAGE = 20_000


def _add_uids(conn, table: str) -> None:
    # SQLite adds a NOT NULL column only with a default, and cannot drop it afterwards without
    # rebuilding the table (which, with foreign keys on inside the migration's transaction,
    # would cascade-delete the children): '' stays the default there, and the unique index
    # refuses a second row written without a uid. PostgreSQL drops the default.
    op.add_column(
        table, sa.Column('uid', sa.String(length=36), nullable=False, server_default='')
    )
    ids = [row[0] for row in conn.exec_driver_sql(f'SELECT id FROM {table}')]
    statement = sa.text(f'UPDATE {table} SET uid = :u WHERE id = :i')
    for start in range(0, len(ids), _PAGE):
        conn.execute(statement, [{'u': str(uuid.uuid4()), 'i': i} for i in ids[start:start + _PAGE]])
    if conn.dialect.name != 'sqlite':
        op.alter_column(table, 'uid', server_default=None)
    op.create_index(f'ix_{table}_uid', table, ['uid'], unique=True)


def upgrade() -> None:
    conn = op.get_bind()
    for table in TABLES:
        _add_uids(conn, table)
    op.create_table('exchange_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('source_pc', sa.String(length=36), nullable=False),
    sa.Column('destination_pc', sa.String(length=36), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('previous_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('audit_upto', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_package')),
    sa.UniqueConstraint('direction', 'source_pc', 'destination_pc', 'sequence', name=op.f('uq_exchange_package_direction'))
    )
    op.create_table('exchange_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('peer_pc', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_record')),
    sa.UniqueConstraint('peer_pc', 'table_name', 'uid', name=op.f('uq_exchange_record_peer_pc'))
    )
    op.create_table('exchange_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('peer_pc', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=128), nullable=False),
    sa.Column('ours', sa.JSON(), nullable=True),
    sa.Column('theirs', sa.JSON(), nullable=True),
    sa.Column('theirs_digest', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('resolved_by', sa.String(length=64), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['exchange_package.id'], name=op.f('fk_exchange_conflict_package_id_exchange_package'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_conflict'))
    )
    op.create_index(op.f('ix_exchange_conflict_package_id'), 'exchange_conflict', ['package_id'], unique=False)
    op.create_index(op.f('ix_exchange_conflict_status'), 'exchange_conflict', ['status'], unique=False)
    op.create_index(op.f('ix_exchange_conflict_uid'), 'exchange_conflict', ['uid'], unique=False)
    op.create_table('exchange_audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_pc', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
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
    sa.Column('chain_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_audit_entry')),
    sa.UniqueConstraint('source_pc', 'entry_id', name=op.f('uq_exchange_audit_entry_source_pc'))
    )


def downgrade() -> None:
    op.drop_table('exchange_audit_entry')
    op.drop_table('exchange_conflict')
    op.drop_table('exchange_record')
    op.drop_table('exchange_package')
    for table in reversed(TABLES):
        # Not batch: rebuilding a parent table on SQLite would cascade-delete its children.
        op.drop_index(f'ix_{table}_uid', table_name=table)
        op.drop_column(table, 'uid')
