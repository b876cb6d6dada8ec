"""inspection rounds (seed 004): groups, rounds, sample, findings; 预脱贫 and 帮扶单位

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inspection_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('leader', sa.String(length=64), nullable=False),
        sa.Column('members', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_group')),
        sa.UniqueConstraint('name', name=op.f('uq_inspection_group_name')),
    )
    op.create_table(
        'inspection_coverage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('county_name', sa.String(length=64), nullable=False),
        sa.Column('liaison', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['group_id'], ['inspection_group.id'],
            name=op.f('fk_inspection_coverage_group_id_inspection_group'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_coverage')),
    )
    op.create_index(
        op.f('ix_inspection_coverage_group_id'), 'inspection_coverage', ['group_id'], unique=False
    )
    op.create_table(
        'inspection_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('follows_round_id', sa.Integer(), nullable=True),
        sa.Column('county_name', sa.String(length=64), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('sample_seed', sa.Integer(), nullable=True),
        sa.Column('sample_year', sa.Integer(), nullable=True),
        sa.Column('notice_date', sa.Date(), nullable=True),
        sa.Column('notice_number', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['follows_round_id'], ['inspection_round.id'],
            name=op.f('fk_inspection_round_follows_round_id_inspection_round'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['group_id'], ['inspection_group.id'],
            name=op.f('fk_inspection_round_group_id_inspection_group'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_round')),
        sa.UniqueConstraint('number', name=op.f('uq_inspection_round_number')),
    )
    op.create_index(
        op.f('ix_inspection_round_group_id'), 'inspection_round', ['group_id'], unique=False
    )
    op.create_index(
        op.f('ix_inspection_round_start_date'), 'inspection_round', ['start_date'], unique=False
    )
    op.create_table(
        'inspection_round_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['round_id'], ['inspection_round.id'],
            name=op.f('fk_inspection_round_unit_round_id_inspection_round'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['unit_id'], ['unit.id'], name=op.f('fk_inspection_round_unit_unit_id_unit'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_round_unit')),
    )
    op.create_index(
        op.f('ix_inspection_round_unit_round_id'), 'inspection_round_unit', ['round_id'],
        unique=False,
    )
    op.create_index(
        op.f('ix_inspection_round_unit_unit_id'), 'inspection_round_unit', ['unit_id'],
        unique=False,
    )
    op.create_table(
        'inspection_sample_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=True),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('proposed', sa.Boolean(), nullable=False),
        sa.Column('dropped', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['household_id'], ['household.id'],
            name=op.f('fk_inspection_sample_entry_household_id_household'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['round_id'], ['inspection_round.id'],
            name=op.f('fk_inspection_sample_entry_round_id_inspection_round'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['township_id'], ['township.id'],
            name=op.f('fk_inspection_sample_entry_township_id_township'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['village_id'], ['village.id'],
            name=op.f('fk_inspection_sample_entry_village_id_village'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_sample_entry')),
    )
    for column in ('round_id', 'village_id', 'household_id'):
        op.create_index(
            op.f(f'ix_inspection_sample_entry_{column}'), 'inspection_sample_entry', [column],
            unique=False,
        )
    op.create_table(
        'inspection_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['category_id'], ['inspection_category.id'],
            name=op.f('fk_inspection_finding_category_id_inspection_category'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['problem_id'], ['problem.id'],
            name=op.f('fk_inspection_finding_problem_id_problem'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['round_id'], ['inspection_round.id'],
            name=op.f('fk_inspection_finding_round_id_inspection_round'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_finding')),
        sa.UniqueConstraint('problem_id', name=op.f('uq_inspection_finding_problem_id')),
    )
    op.create_index(
        op.f('ix_inspection_finding_round_id'), 'inspection_finding', ['round_id'], unique=False
    )
    op.create_index(
        op.f('ix_inspection_finding_category_id'), 'inspection_finding', ['category_id'],
        unique=False,
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_exit_year', sa.Integer(), nullable=True))
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('aid_unit', sa.String(length=64), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_column('aid_unit')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_column('planned_exit_year')
    op.drop_table('inspection_finding')
    op.drop_table('inspection_sample_entry')
    op.drop_table('inspection_round_unit')
    op.drop_table('inspection_round')
    op.drop_table('inspection_coverage')
    op.drop_table('inspection_group')
