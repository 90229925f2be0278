import nh3
from django.db import migrations, models

import kb.validators
from kb.text import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS, LINK_REL, URL_SCHEMES

# Stored HTML written before the class whitelist may carry any class on a span (content
# borrowing the site's classes); clean it again with the whitelist. Only attributes change,
# never the text, so passages' offsets stay where they are.
STORED_HTML = [("section", "body_html"), ("article", "summary_html"), ("topic", "description_html")]


def reclean_classes(apps, schema_editor):
    for model_name, field in STORED_HTML:
        model = apps.get_model("kb", model_name)
        changed = []
        for row in model.objects.filter(**{f"{field}__contains": "class="}).only("pk", field):
            html = getattr(row, field)
            clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                              allowed_classes=ALLOWED_CLASSES, url_schemes=URL_SCHEMES,
                              link_rel=LINK_REL)
            if clean != html:
                setattr(row, field, clean)
                changed.append(row)
        model.objects.bulk_update(changed, [field], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0014_originals'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='source_url',
            field=models.URLField(blank=True, validators=[kb.validators.validate_no_bidi_controls], verbose_name='source URL'),
        ),
        # Nothing to undo: the HTML is the same text with fewer classes.
        migrations.RunPython(reclean_classes, migrations.RunPython.noop),
    ]
