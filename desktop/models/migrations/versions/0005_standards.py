"""standards: household indicator values, a campaign's county and thresholds, 点球 indicator

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'household_indicator',
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['household_id'], ['household.id'],
            name=op.f('fk_household_indicator_household_id_household'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('household_id', name=op.f('pk_household_indicator')),
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('thresholds', sa.JSON(), nullable=False, server_default='{}')
        )
        batch_op.add_column(
            sa.Column('standard_revision', sa.Integer(), nullable=False, server_default='1')
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_campaign_county_id_county'), 'county', ['county_id'], ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('indicator', sa.String(length=32), nullable=False, server_default='')
        )
        batch_op.create_index(batch_op.f('ix_problem_indicator'), ['indicator'], unique=False)
    # A database of one county: its campaigns were that county's.
    op.execute(
        "UPDATE campaign SET county_id = (SELECT MIN(id) FROM county) "
        "WHERE (SELECT COUNT(*) FROM county) = 1"
    )


def downgrade() -> None:
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_indicator'))
        batch_op.drop_column('indicator')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_county_id_county'), type_='foreignkey')
        batch_op.drop_column('standard_revision')
        batch_op.drop_column('thresholds')
        batch_op.drop_column('county_id')
    op.drop_table('household_indicator')
