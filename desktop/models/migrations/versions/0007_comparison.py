"""cross-department comparison: department lists, hits, cases; 清退 on households and members; former members

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:16:10.950229
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('department_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sheet_name', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('detail_headers', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('matched_at', sa.DateTime(), nullable=True),
    sa.Column('replaced', sa.Boolean(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_list'))
    )
    with op.batch_alter_table('department_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_list_department'), ['department'], unique=False)

    op.create_table('department_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_mapping')),
    sa.UniqueConstraint('department', name=op.f('uq_department_mapping_department'))
    )
    op.create_table('department_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=24), nullable=False),
    sa.Column('id_key', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['department_list.id'], name=op.f('fk_department_row_list_id_department_list'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_row'))
    )
    with op.batch_alter_table('department_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_row_id_key'), ['id_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_department_row_list_id'), ['list_id'], unique=False)

    op.create_table('former_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('household_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('sex', sa.String(length=4), nullable=False),
    sa.Column('id_number', sa.String(length=24), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_former_member_household_id_household'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_former_member'))
    )
    with op.batch_alter_table('former_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_former_member_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_former_member_id_number'), ['id_number'], unique=False)

    op.create_table('comparison_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('poverty_kind', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('compared_at', sa.DateTime(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('persons', sa.JSON(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_comparison_case_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_comparison_case_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_comparison_case_problem_id_problem'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparison_case')),
    sa.UniqueConstraint('number', name=op.f('uq_comparison_case_number'))
    )
    with op.batch_alter_table('comparison_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparison_case_approved_on'), ['approved_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_case_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_case_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_case_stage'), ['stage'], unique=False)

    op.create_table('comparison_case_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('who', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('on_paper', sa.Boolean(), nullable=False),
    sa.Column('signed_by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['comparison_case.id'], name=op.f('fk_comparison_case_step_case_id_comparison_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparison_case_step'))
    )
    with op.batch_alter_table('comparison_case_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparison_case_step_case_id'), ['case_id'], unique=False)

    op.create_table('comparison_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['comparison_case.id'], name=op.f('fk_comparison_evidence_case_id_comparison_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparison_evidence'))
    )
    with op.batch_alter_table('comparison_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparison_evidence_case_id'), ['case_id'], unique=False)

    op.create_table('comparison_hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('former_member_id', sa.Integer(), nullable=True),
    sa.Column('member_name', sa.String(length=64), nullable=False),
    sa.Column('member_id_number', sa.String(length=24), nullable=False),
    sa.Column('match_kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['comparison_case.id'], name=op.f('fk_comparison_hit_case_id_comparison_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['former_member_id'], ['former_member.id'], name=op.f('fk_comparison_hit_former_member_id_former_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_comparison_hit_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['department_list.id'], name=op.f('fk_comparison_hit_list_id_department_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_comparison_hit_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['row_id'], ['department_row.id'], name=op.f('fk_comparison_hit_row_id_department_row'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparison_hit'))
    )
    with op.batch_alter_table('comparison_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparison_hit_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_hit_former_member_id'), ['former_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_hit_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_hit_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_hit_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_hit_row_id'), ['row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparison_hit_status'), ['status'], unique=False)

    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('removal_reason', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('removal_reason', sa.Text(), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_on')

    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_on')

    with op.batch_alter_table('comparison_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparison_hit_status'))
        batch_op.drop_index(batch_op.f('ix_comparison_hit_row_id'))
        batch_op.drop_index(batch_op.f('ix_comparison_hit_member_id'))
        batch_op.drop_index(batch_op.f('ix_comparison_hit_list_id'))
        batch_op.drop_index(batch_op.f('ix_comparison_hit_household_id'))
        batch_op.drop_index(batch_op.f('ix_comparison_hit_former_member_id'))
        batch_op.drop_index(batch_op.f('ix_comparison_hit_case_id'))

    op.drop_table('comparison_hit')
    with op.batch_alter_table('comparison_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparison_evidence_case_id'))

    op.drop_table('comparison_evidence')
    with op.batch_alter_table('comparison_case_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparison_case_step_case_id'))

    op.drop_table('comparison_case_step')
    with op.batch_alter_table('comparison_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparison_case_stage'))
        batch_op.drop_index(batch_op.f('ix_comparison_case_kind'))
        batch_op.drop_index(batch_op.f('ix_comparison_case_household_id'))
        batch_op.drop_index(batch_op.f('ix_comparison_case_approved_on'))

    op.drop_table('comparison_case')
    with op.batch_alter_table('former_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_former_member_id_number'))
        batch_op.drop_index(batch_op.f('ix_former_member_household_id'))

    op.drop_table('former_member')
    with op.batch_alter_table('department_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_row_list_id'))
        batch_op.drop_index(batch_op.f('ix_department_row_id_key'))

    op.drop_table('department_row')
    op.drop_table('department_mapping')
    with op.batch_alter_table('department_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_list_department'))

    op.drop_table('department_list')
