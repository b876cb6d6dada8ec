"""review teams: reviewers, 排查组, 排查小组 of two, households assigned by day with their review

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:20:40.034057
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('leader', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_review_team_village_id_village'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_team')),
    sa.UniqueConstraint('village_id', name=op.f('uq_review_team_village_id'))
    )
    op.create_table('reviewer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('is_county_cadre', sa.Boolean(), nullable=False),
    sa.Column('home_village_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['home_village_id'], ['village.id'], name=op.f('fk_reviewer_home_village_id_village'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewer'))
    )
    with op.batch_alter_table('reviewer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_home_village_id'), ['home_village_id'], unique=False)

    op.create_table('review_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('first_id != second_id', name=op.f('ck_review_pair_two_people')),
    sa.ForeignKeyConstraint(['first_id'], ['reviewer.id'], name=op.f('fk_review_pair_first_id_reviewer')),
    sa.ForeignKeyConstraint(['second_id'], ['reviewer.id'], name=op.f('fk_review_pair_second_id_reviewer')),
    sa.ForeignKeyConstraint(['team_id'], ['review_team.id'], name=op.f('fk_review_pair_team_id_review_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_pair')),
    sa.UniqueConstraint('team_id', 'seq', name=op.f('uq_review_pair_team_id'))
    )
    with op.batch_alter_table('review_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_pair_team_id'), ['team_id'], unique=False)

    op.create_table('review_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=32), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_review_assignment_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_review_assignment_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pair_id'], ['review_pair.id'], name=op.f('fk_review_assignment_pair_id_review_pair'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignment')),
    sa.UniqueConstraint('household_id', 'campaign_id', name=op.f('uq_review_assignment_household_id'))
    )
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignment_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignment_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_assignment_visit_date'), ['visit_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignment_visit_date'))
        batch_op.drop_index(batch_op.f('ix_review_assignment_pair_id'))
        batch_op.drop_index(batch_op.f('ix_review_assignment_household_id'))

    op.drop_table('review_assignment')
    with op.batch_alter_table('review_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_pair_team_id'))

    op.drop_table('review_pair')
    with op.batch_alter_table('reviewer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_home_village_id'))

    op.drop_table('reviewer')
    op.drop_table('review_team')
