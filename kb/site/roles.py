"""Roles: the analyst and editor groups and their permissions (readers need none)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITOR_GROUP = "editor"
ANALYST_GROUP = "analyst"

# Roles by permission codename (app "kb"). Readers need none: every page is public.
ANALYST_PERMISSIONS = ["view_article", "view_section", "view_topic", "tag_passages"]
EDITOR_MODELS = [
    "article", "section", "topic", "topicalias", "taggedsection",
    "passage", "taggedpassage", "topicredirect", "link",
]


@transaction.atomic
def ensure_roles() -> None:
    """Create the analyst and editor groups with their permissions (idempotent)."""
    kb_permissions = Permission.objects.filter(content_type__app_label="kb")
    analyst, _ = Group.objects.get_or_create(name=ANALYST_GROUP)
    analyst.permissions.add(*kb_permissions.filter(codename__in=ANALYST_PERMISSIONS))
    editor, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    editor.permissions.add(
        *kb_permissions.filter(content_type__model__in=EDITOR_MODELS),
        *kb_permissions.filter(codename__in=ANALYST_PERMISSIONS),
    )
