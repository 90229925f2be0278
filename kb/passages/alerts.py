"""Notifications: telling analysts that someone else's edit changed their coding.

Every function that writes one runs inside the transaction of the edit that caused it (the
passage services call ``notify_passages``; topic renames and merges go through
``rename_topic`` and ``merge_topics`` here), so a rolled-back edit leaves no notification.

Why topic changes are wrapped here rather than notified by kb.library.services: the library
room sits below the passages room and may not call its services (tests/test_architecture.py),
and a signal would hide a write in the edit's side effects. So the passages room offers the
topic operations analysts care about, each one transaction: the library's rename or merge
and the notifications together. The admin (the one place editors rename and merge topics)
calls these.

E-mail is optional (``KB_NOTIFY_EMAIL``, off by default) and sent only once the edit has
committed: ``transaction.on_commit`` drops the callback of a transaction that rolls back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kb.library import services as library_services
from kb.library.models import Topic
from kb.passages import anchoring
from kb.passages.models import Notification, Passage

Kind = Notification.Kind
# The re-anchoring outcomes an analyst must hear about ("anchored" changed nothing for them).
KIND_OF_STATUS = {anchoring.MOVED: Kind.MOVED, anchoring.FUZZY: Kind.FUZZY,
                  anchoring.ORPHANED: Kind.ORPHANED}


def _editor_id(editor: AbstractBaseUser | None) -> int | None:
    return editor.pk if editor is not None and editor.is_authenticated else None


def notify_passages(changes: Iterable[tuple[int, int, str]], *,
                    editor: AbstractBaseUser | None) -> list[Notification]:
    """One notification per (passage id, analyst id, new status) that an edit moved, made
    fuzzy or orphaned, to the passage's analyst unless the edit was their own. ``editor``
    None (an import, a command) notifies everyone."""
    skip = _editor_id(editor)
    return _create([
        Notification(recipient_id=analyst, kind=KIND_OF_STATUS[status], passage_id=pk)
        for pk, analyst, status in changes if status in KIND_OF_STATUS and analyst != skip
    ])


def _analysts_tagging(topic: Topic, editor: AbstractBaseUser | None) -> list[int]:
    return list(Passage.objects.filter(tagged_items__tag=topic)
                .exclude(analyst_id=_editor_id(editor))
                .order_by("analyst_id").values_list("analyst_id", flat=True).distinct())


@transaction.atomic
def rename_topic(*, topic: Topic, name: str, slug: str = "",
                 editor: AbstractBaseUser | None) -> Topic:
    """kb.library.services.rename_topic, and a notification to every analyst (but the
    editor) with passages tagged with the topic when its name changed."""
    old_name = Topic.objects.filter(pk=topic.pk).values_list("name", flat=True).get()
    topic = library_services.rename_topic(topic=topic, name=name, slug=slug)
    if topic.name != old_name:
        _create([Notification(recipient_id=analyst, kind=Kind.TOPIC_RENAMED, topic=topic,
                              old_name=old_name)
                 for analyst in _analysts_tagging(topic, editor)])
    return topic


@transaction.atomic
def merge_topics(*, source: Topic, target: Topic, editor: AbstractBaseUser | None) -> Topic:
    """kb.library.services.merge_topics, and a notification to every analyst (but the
    editor) who had tagged passages with ``source``, read before its tags move."""
    analysts = _analysts_tagging(source, editor) if source.pk != target.pk else []
    old_name = source.name
    target = library_services.merge_topics(source=source, target=target)
    _create([Notification(recipient_id=analyst, kind=Kind.TOPIC_MERGED, topic=target,
                          old_name=old_name) for analyst in analysts])
    return target


@transaction.atomic
def mark_all_read(*, user: AbstractBaseUser) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def _create(notifications: list[Notification]) -> list[Notification]:
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications)
    if settings.KB_NOTIFY_EMAIL:
        recipients = sorted({n.recipient_id for n in created})
        transaction.on_commit(lambda: send_unmailed(recipients))
    return created


def send_unmailed(recipient_ids: Iterable[int]) -> int:
    """Mail each of these users (with an address) one message listing their unread
    notifications not mailed yet, and mark them mailed. Several edits committed together
    call this several times; only the first finds anything left to send, so each user
    gets one message per commit. Returns how many messages were sent."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(recipient_id__in=list(recipient_ids), emailed_at__isnull=True,
                    read_at__isnull=True)
            .select_related("recipient", "topic", "passage__article").order_by("created_at", "id")
        )
        by_recipient: dict[int, list[Notification]] = defaultdict(list)
        for notification in pending:
            if notification.recipient.email:
                by_recipient[notification.recipient_id].append(notification)
        with translation.override(settings.LANGUAGE_CODE):
            messages = [_message(items) for items in by_recipient.values()]
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def _message(notifications: list[Notification]) -> tuple[str, str, str, list[str]]:
    subject = ngettext("kb: %(count)d new notification", "kb: %(count)d new notifications",
                       len(notifications)) % {"count": len(notifications)}
    lines = []
    for notification in notifications:
        lines.append(f"- {notification.summary}")
        if notification.passage is not None:
            lines.append(f"  「{notification.passage}」")
    inbox = settings.KB_SITE_URL.rstrip("/") + reverse("kb:inbox")
    body = "\n".join([*lines, "", _("Your inbox: %(url)s") % {"url": inbox}])
    return subject, body, settings.DEFAULT_FROM_EMAIL, [notifications[0].recipient.email]
