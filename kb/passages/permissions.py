"""Who may do what with passages. Views, admin and templates ask here, never the role names."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from kb.passages.models import Passage

User = AbstractBaseUser | AnonymousUser


def can_tag(user: User) -> bool:
    """Analysts and editors tag passages; readers (anonymous) only read them."""
    return user.is_authenticated and user.has_perm("kb.tag_passages")


def can_change_passage(user: User, passage: Passage) -> bool:
    """Analysts change their own passages; editors any passage."""
    if not can_tag(user):
        return False
    return passage.analyst_id == user.pk or user.has_perm("kb.change_passage")


def can_delete_passage(user: User, passage: Passage) -> bool:
    if not can_tag(user):
        return False
    return passage.analyst_id == user.pk or user.has_perm("kb.delete_passage")
