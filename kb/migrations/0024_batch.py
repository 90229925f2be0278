from django.db import migrations, models

from kb.text import text_fingerprint


def fingerprint_articles(apps, schema_editor):
    """Articles already in kb get the fingerprint an import of their report would have, so
    importing it again in another format is recognised."""
    Article = apps.get_model("kb", "Article")
    Section = apps.get_model("kb", "Section")
    for article in Article.objects.only("pk").iterator():
        sections = Section.objects.filter(article_id=article.pk).order_by("position", "id")
        text = "\n".join(f"{heading}\n{body}"
                         for heading, body in sections.values_list("heading", "body"))
        Article.objects.filter(pk=article.pk).update(fingerprint=text_fingerprint(text))


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0023_structure'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='fingerprint',
            field=models.TextField(blank=True, editable=False, verbose_name='text fingerprint'),
        ),
        migrations.RunPython(fingerprint_articles, migrations.RunPython.noop),
    ]
