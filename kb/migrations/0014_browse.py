from django.db import migrations, models


def fill_title_sort(apps, schema_editor):
    # The function as it stands, not a copy: the key is derived data, and a later change of
    # it would be applied by re-saving, not by editing this migration.
    from kb.library.models import title_sort_key

    Article = apps.get_model("kb", "Article")
    articles = list(Article.objects.only("pk", "title"))
    for article in articles:
        article.title_sort = title_sort_key(article.title)
    Article.objects.bulk_update(articles, ["title_sort"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("kb", "0013_import_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="title_sort",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=300),
        ),
        migrations.RunPython(fill_title_sort, migrations.RunPython.noop),
    ]
