"""double entry of questionnaires: the second, blind entry and its resolution

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:10:22.556740
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verify_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=32), nullable=False),
    sa.Column('first_clerk', sa.String(length=64), nullable=False),
    sa.Column('first_answers', sa.JSON(), nullable=False),
    sa.Column('clerk', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('resolved', sa.JSON(), nullable=False),
    sa.Column('resolved_by', sa.String(length=64), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_verify_entry_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_verify_entry_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verify_entry')),
    sa.UniqueConstraint('household_id', 'campaign_id', 'form_code', name=op.f('uq_verify_entry_household_id'))
    )
    with op.batch_alter_table('verify_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verify_entry_household_id'), ['household_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('verify_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verify_entry_household_id'))

    op.drop_table('verify_entry')
