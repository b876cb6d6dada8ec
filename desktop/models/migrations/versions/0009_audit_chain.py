"""the audit log's hash chain: each entry carries the hash of the one before; the chain's head

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:45:00
"""

from alembic import op
import sqlalchemy as sa

from desktop.models.database import drop_trigger, refusing_trigger
from desktop.models.safety import CHAIN_START, CHAINED_FIELDS, entry_digest


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The head row can only move forward and never goes away (the log's own triggers stay).
HEAD_TRIGGERS = (
    ('audit_chain_head_no_delete', 'DELETE', '审计日志链头不可删除', ''),
    (
        'audit_chain_head_forward', 'UPDATE', '审计日志链头只能向后移动',
        'NEW.entry_id < OLD.entry_id OR NEW.id != OLD.id',
    ),
)
NO_UPDATE = ('audit_entry_no_update', 'audit_entry', 'UPDATE', '审计日志不可修改')
NO_DELETE = ('audit_entry_no_delete', 'audit_entry', 'DELETE', '审计日志不可删除')


def _create(conn, name, table, event, message, when='') -> None:
    for sql in refusing_trigger(conn, name, table, event, message, when):
        op.execute(sql)


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
    op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('chain_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    # Chain the entries written so far, oldest first; the update trigger steps aside for it.
    conn = op.get_bind()
    op.execute(drop_trigger(conn, 'audit_entry_no_update', 'audit_entry'))
    columns = ", ".join(CHAINED_FIELDS)
    previous, last_id = CHAIN_START, 0
    rows = conn.exec_driver_sql(f"SELECT {columns} FROM audit_entry ORDER BY id").all()
    hashes = []
    for row in rows:
        values = dict(zip(CHAINED_FIELDS, row, strict=True))
        previous, last_id = entry_digest(previous, values), values["id"]
        hashes.append({"h": previous, "i": last_id})
    if hashes:
        conn.execute(sa.text("UPDATE audit_entry SET chain_hash = :h WHERE id = :i"), hashes)
    _create(conn, *NO_UPDATE)
    conn.execute(
        sa.text("INSERT INTO audit_chain_head (id, entry_id, chain_hash) VALUES (1, :i, :h)"),
        {"i": last_id, "h": previous},
    )
    for name, event, message, when in HEAD_TRIGGERS:
        _create(conn, name, 'audit_chain_head', event, message, when)


def downgrade() -> None:
    conn = op.get_bind()
    op.execute(drop_trigger(conn, 'audit_chain_head_forward', 'audit_chain_head'))
    op.execute(drop_trigger(conn, 'audit_chain_head_no_delete', 'audit_chain_head'))
    op.drop_table('audit_chain_head')
    op.execute(drop_trigger(conn, 'audit_entry_no_update', 'audit_entry'))
    op.execute(drop_trigger(conn, 'audit_entry_no_delete', 'audit_entry'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('chain_hash')
    _create(conn, *NO_UPDATE)
    _create(conn, *NO_DELETE)
