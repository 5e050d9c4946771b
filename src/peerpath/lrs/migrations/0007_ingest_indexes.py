# Storing a statement writes every index of its row and of its relation rows, so three
# indexes that no query needs are dropped: the key's and the relation's statement are the
# first column of a wider index already, and no query looks statements up by the statement
# they refer to. Dropped by name with SQL: altering the fields would make SQLite copy the
# whole statement table, twice. One index is added for GET by agent and activity, and one
# for related_agents by authority, which new statements no longer write a relation row for
# (nor for their actor and object: see services._relations).

import django.db.models.deletion
from django.db import migrations, models

# (index Django named for the field's db_index, table, column)
_DROPPED = (
    ("lrs_statement_lrs_key_id_3b72ad1d", "lrs_statement", "lrs_key_id"),
    ("lrs_statement_object_statement_id_2d775149", "lrs_statement", "object_statement_id"),
    ("lrs_statementrelation_statement_id_07ff9e2e", "lrs_statementrelation", "statement_id"),
)


class Migration(migrations.Migration):

    dependencies = [
        ("lrs", "0006_voiding_target_partial_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="statement",
                    name="lrs_key",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="statements",
                        to="lrs.lrskey",
                    ),
                ),
                migrations.AlterField(
                    model_name="statement",
                    name="object_statement_id",
                    field=models.UUIDField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="statementrelation",
                    name="statement",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relations",
                        to="lrs.statement",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in _DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                fields=["agent_key", "object_activity_id", "stored", "id"],
                name="lrs_stmt_agent_activity_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(
                fields=["authority_key", "stored", "id"], name="lrs_stmt_authority_idx"
            ),
        ),
    ]
