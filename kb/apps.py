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

        from kb.invalidation import watch

        watch()
