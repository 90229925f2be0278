"""PostgreSQL: autovacuum re-analyses the search index after a few hundred new entries,
not after a tenth of the table (the default), so reports imported one by one through the
admin never leave searches planned from stale statistics. Nothing to do on SQLite."""

from django.db import migrations

SETTINGS = ("autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500, "
            "autovacuum_vacuum_scale_factor = 0.05")
DEFAULTS = "autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_scale_factor"


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE kb_searchentry SET ({SETTINGS})")


def untune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE kb_searchentry RESET ({DEFAULTS})")


class Migration(migrations.Migration):
    dependencies = [("kb", "0021_labels")]
    operations = [migrations.RunPython(tune, untune)]
