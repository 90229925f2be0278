"""The Latin and digit words of the index, under each start a search term may match them
from (kb.search.models.SearchWord), filled from the index already built: its vocabulary
(FTS5's, read through fts5vocab; PostgreSQL's, through ts_stat), with no rebuild."""

from django.db import migrations, models

from kb.search.tokenise import is_word, word_starts

SQLITE_TABLES = ("kb_search_fts", "kb_search_side_fts")


def _vocabulary(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            words = set()
            for table in SQLITE_TABLES:
                cursor.execute(f"CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, {table}, 'row')")
                # Latin and digit words sort before every CJK token.
                cursor.execute("SELECT term FROM temp.vocab WHERE term < %s", ["\u3005"])
                words |= {row[0] for row in cursor.fetchall()}
                cursor.execute("DROP TABLE temp.vocab")
            return words
        if connection.vendor == "postgresql":
            cursor.execute("SELECT word FROM ts_stat('SELECT vector FROM kb_searchentry') "
                           "WHERE word < %s", ["\u3005"])
            return {row[0] for row in cursor.fetchall()}
    return set()


def fill(apps, schema_editor):
    SearchWord = apps.get_model("kb", "SearchWord")
    words = sorted(w for w in _vocabulary(schema_editor.connection) if is_word(w))
    SearchWord.objects.bulk_create(
        [SearchWord(start=start, word=w, inner=inner) for w in words for start, inner in word_starts(w)],
        ignore_conflicts=True, batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0026_jobs'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.CharField(db_index=True, max_length=64)),
                ('word', models.CharField(max_length=64)),
                ('inner', models.BooleanField()),
            ],
            options={
                'verbose_name': 'search word',
                'verbose_name_plural': 'search words',
                'constraints': [models.UniqueConstraint(fields=('start', 'word'), name='unique_search_word')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
