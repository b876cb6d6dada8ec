"""form records about a village or a township too; completed forms keep their computed values

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:00:00
"""

from alembic import op
import sqlalchemy as sa

from desktop.models.database import exactly_one_of


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SUBJECTS = ('household_id', 'village_id', 'township_id')


def upgrade() -> None:
    # SQLite cannot alter a column in place: batch mode copies the table, rows and all.
    with op.batch_alter_table('form_record', schema=None) as batch_op:
        batch_op.alter_column('household_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('village_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('township_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('computed', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column('standard', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_form_record_village_id_village'), 'village', ['village_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_form_record_township_id_township'), 'township', ['township_id'],
            ['id'], ondelete='CASCADE',
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_form_record_village_id'), ['village_id', 'campaign_id', 'form_code']
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_form_record_township_id'), ['township_id', 'campaign_id', 'form_code']
        )
        batch_op.create_check_constraint('one_subject', exactly_one_of(op.get_bind(), *SUBJECTS))
        batch_op.create_index(batch_op.f('ix_form_record_village_id'), ['village_id'])
        batch_op.create_index(batch_op.f('ix_form_record_township_id'), ['township_id'])


def downgrade() -> None:
    op.execute("DELETE FROM form_record WHERE household_id IS NULL")
    with op.batch_alter_table('form_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_record_township_id'))
        batch_op.drop_index(batch_op.f('ix_form_record_village_id'))
        batch_op.drop_constraint('ck_form_record_one_subject', type_='check')
        batch_op.drop_constraint(batch_op.f('uq_form_record_township_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_form_record_village_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_form_record_township_id_township'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_form_record_village_id_village'), type_='foreignkey')
        batch_op.drop_column('standard')
        batch_op.drop_column('computed')
        batch_op.drop_column('township_id')
        batch_op.drop_column('village_id')
        batch_op.alter_column('household_id', existing_type=sa.Integer(), nullable=False)
