from django.contrib.auth.models import Group

from kb.site import roles


def test_roles_exist_after_migrate_with_their_permissions(db):
    analyst = Group.objects.get(name=roles.ANALYST_GROUP)
    editor = Group.objects.get(name=roles.EDITOR_GROUP)
    analyst_perms = set(analyst.permissions.values_list("codename", flat=True))
    editor_perms = set(editor.permissions.values_list("codename", flat=True))
    assert "tag_passages" in analyst_perms
    assert "change_article" not in analyst_perms
    assert {"change_article", "add_section", "change_topic", "tag_passages"} <= editor_perms


def test_ensure_roles_is_idempotent(db):
    roles.ensure_roles()
    roles.ensure_roles()
    assert Group.objects.filter(name__in=[roles.ANALYST_GROUP, roles.EDITOR_GROUP]).count() == 2


def test_analyst_user_has_tag_permission_but_not_edit(analyst):
    assert analyst.has_perm("kb.tag_passages")
    assert not analyst.has_perm("kb.change_article")
