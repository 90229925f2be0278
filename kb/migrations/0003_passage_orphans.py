"""Passages outlive their sections: section becomes nullable (SET_NULL) and each passage
remembers its article, filled here from its section."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_article(apps, schema_editor):
    Passage = apps.get_model("kb", "Passage")
    Section = apps.get_model("kb", "Section")
    Passage.objects.update(
        article_id=Subquery(Section.objects.filter(pk=OuterRef("section_id")).values("article_id"))
    )


def refuse_orphans(apps, schema_editor):
    # Before 0003 a passage had to have a section; orphans would be lost, so going back
    # waits until they are re-attached or deleted.
    Passage = apps.get_model("kb", "Passage")
    orphans = Passage.objects.filter(section__isnull=True).count()
    if orphans:
        raise RuntimeError(
            f"{orphans} orphaned passage(s) have no section: re-attach or delete them before "
            "unapplying kb.0003_passage_orphans."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0002_revisions'),
    ]

    operations = [
        migrations.AddField(
            model_name='passage',
            name='article',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='passages', to='kb.article', verbose_name='article'),
        ),
        migrations.AlterField(
            model_name='passage',
            name='section',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='passages', to='kb.section', verbose_name='section'),
        ),
        migrations.RunPython(fill_article, refuse_orphans),
    ]
