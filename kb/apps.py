from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_roles(sender, **kwargs) -> None:
    from kb.site.roles import ensure_roles

    ensure_roles()


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Like Django's own permissions, the roles must exist in every migrated
        # database (the test database included), so they follow migrate.
        post_migrate.connect(_create_roles, sender=self)

        from reversion.models import Revision

        from kb.site.cache import watch_models
        from kb.site.models import ContentChange

        # Every kb model, present and future: any change to them may show on a page. Not
        # the record of those changes, which the invalidation itself writes.
        watch_models(model for model in self.get_models(include_auto_created=True)
                     if model is not ContentChange)
        # History pages list revisions; ``deleterevisions`` removes them without touching a
        # kb model. (Versions are only written beside kb saves, which invalidate already.)
        watch_models([Revision])
