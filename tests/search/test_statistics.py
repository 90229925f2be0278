"""After a bulk import, search never waits for someone to run ANALYZE: the commands that
add many entries at once refresh the planner's statistics of the index themselves."""

import pytest
from django.core.management import call_command
from django.db import connection

from kb.search.models import SearchEntry


def planned_rows() -> int | None:
    """How many index entries the database's planner believes there are (None: unknown)."""
    table = SearchEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            tuples = cursor.fetchone()[0]
            return None if tuples < 0 else int(tuples)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else None


def test_import_report_leaves_the_planner_knowing_the_index(tmp_path, db):
    files = []
    for n in range(3):
        report = tmp_path / f"報告{n}.md"
        report.write_text(f"# 報告書その{n}\n\n## 概要\n\n中国のデジタル経済{n}について。\n\n"
                          f"## 詳細\n\n規制と金融{n}の話。\n", encoding="utf-8")
        files.append(str(report))
    call_command("import_report", *files)
    assert SearchEntry.objects.count() > 6
    assert planned_rows() == SearchEntry.objects.count()


def test_loading_the_corpus_leaves_the_planner_knowing_the_index(db):
    call_command("load_corpus")
    assert planned_rows() == SearchEntry.objects.count()


def test_restoring_a_backup_leaves_the_planner_knowing_the_index(tmp_path, corpus):
    backup = tmp_path / "kb.json"
    call_command("export_kb", str(backup))
    call_command("import_kb", str(backup), "--replace")
    assert planned_rows() == SearchEntry.objects.count()


def test_autovacuum_reanalyses_the_index_after_a_few_hundred_new_entries(db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no autovacuum; the commands above are all it needs")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'kb_searchentry'")
        options = dict(o.split("=") for o in cursor.fetchone()[0])
    assert float(options["autovacuum_analyze_scale_factor"]) <= 0.02
    assert int(options["autovacuum_analyze_threshold"]) <= 500
