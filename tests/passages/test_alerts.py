"""Alerts: an analyst hears, in an inbox and optionally by e-mail, when someone else's edit
moves, fuzzes or orphans their passage or renames or merges a topic they tagged with."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.editorial import services as editorial_services
from kb.models import Notification, Passage, Topic
from kb.passages import alerts
from kb.passages import services as passage_services
from kb.site import roles
from tests.html_forms import inline_post

BODY = "電子商取引の拡大。アリババは与信スコアの算出にeCreditalのデータを使う。規制は強まる。"
QUOTE = "与信スコアの算出にeCreditalのデータを使う"
OTHER = "越境データの規制は続く。"


@pytest.fixture
def other_analyst(django_user_model):
    user = django_user_model.objects.create_user("analyst2", password="pw",
                                                 email="analyst2@example.org")
    user.groups.add(Group.objects.get(name=roles.ANALYST_GROUP))
    return user


@pytest.fixture
def article(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー")
    return make_article(title="与信の報告", sections=[("与信", BODY, []), ("越境", OTHER, [])])


@pytest.fixture
def passage(article, analyst):
    analyst.email = "analyst@example.org"
    analyst.save()
    return passage_services.create_passage(section=article.sections.get(heading="与信"),
                                           analyst=analyst, exact=QUOTE, topics=["platformers"])


@pytest.fixture
def bystander(article, other_analyst):
    """Another analyst's passage in the section no edit here touches."""
    return passage_services.create_passage(section=article.sections.get(heading="越境"),
                                           analyst=other_analyst, exact="越境データ",
                                           topics=["データ"])


def _edit(passage, body, editor):
    section = passage.section
    section.body = body
    passage_services.save_section(section=section, editor=editor)


def _kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", "passage_id"))


@pytest.mark.parametrize("body, kind", [
    (BODY.replace("eCredital", "eKredital"), "fuzzy"),
    ("新しい前文。" + BODY.replace("電子商取引の拡大。", ""), "moved"),
    ("全く別の本文になった。", "orphaned"),
])
def test_an_edit_that_knocks_a_passage_loose_notifies_exactly_its_analyst(
    passage, bystander, analyst, other_analyst, editor, body, kind
):
    _edit(passage, body, editor)
    passage.refresh_from_db()
    assert passage.status == kind
    assert _kinds(analyst) == [(kind, passage.pk)]
    assert _kinds(other_analyst) == [] and _kinds(editor) == []


def test_an_edit_that_leaves_a_passage_in_place_notifies_nobody(passage, analyst, editor):
    _edit(passage, BODY + "追記。", editor)
    assert Notification.objects.count() == 0


def test_deleting_a_section_or_an_article_notifies_the_analysts_of_its_passages(
    article, passage, bystander, analyst, other_analyst, editor
):
    passage_services.delete_sections(sections=article.sections.filter(pk=passage.section_id),
                                     editor=editor)
    assert _kinds(analyst) == [("orphaned", passage.pk)] and _kinds(other_analyst) == []
    passage_services.delete_article(article=article, editor=editor)
    assert _kinds(other_analyst) == [("orphaned", bystander.pk)]
    assert len(_kinds(analyst)) == 1  # already an orphan: not told twice


def test_the_notification_is_part_of_the_edits_transaction(passage, analyst, editor):
    with pytest.raises(RuntimeError), transaction.atomic():
        _edit(passage, "全く別の本文になった。", editor)
        assert len(_kinds(analyst)) == 1  # written with the edit...
        raise RuntimeError("the edit fails after re-anchoring")
    assert Notification.objects.count() == 0  # ...and gone with it
    passage.refresh_from_db()
    assert passage.status == "anchored"


def test_no_notification_about_the_editors_own_passages(passage, analyst):
    _edit(passage, "全く別の本文になった。", analyst)
    assert Notification.objects.count() == 0


def test_an_article_edit_tells_the_analyst_whose_passage_it_moved_unless_it_was_theirs(
    article, passage, analyst, editor
):
    def update(body, user):
        article.refresh_from_db()
        first, second = article.sections.order_by("position")
        data = editorial_services.ArticleData(
            title=article.title, slug=article.slug, kind=article.kind, sections=[
                editorial_services.SectionData(heading="与信", body=body, anchor=first.anchor),
                editorial_services.SectionData(heading="越境", body=OTHER, anchor=second.anchor),
            ])
        editorial_services.update_article(article=article, loaded_version=article.version,
                                          data=data, user=user)

    update("前置き。" + BODY, analyst)  # the analyst's own edit moves it: no news
    assert Passage.objects.get().status == "moved" and Notification.objects.count() == 0
    update("全く別の本文になった。", editor)
    assert _kinds(analyst) == [("orphaned", passage.pk)]


def test_an_admin_edit_notifies_the_analyst_not_the_editor(editor_client, article, passage, analyst):
    response = editor_client.post(reverse("admin:kb_article_change", args=[article.pk]),
                                  inline_post(article, {"sections-0-body": "全く別の本文になった。"}))
    assert response.status_code == 302
    assert _kinds(analyst) == [("orphaned", passage.pk)]


# Topics ----------------------------------------------------------------------------------


def test_renaming_a_topic_notifies_the_analysts_who_tagged_with_it(
    passage, bystander, analyst, other_analyst, editor
):
    topic = Topic.objects.get(slug="platformers")
    alerts.rename_topic(topic=topic, name="巨大プラットフォーム", editor=editor)
    [notice] = Notification.objects.filter(recipient=analyst).select_related("topic")
    assert (notice.kind, notice.topic, notice.old_name) == ("renamed", topic, "プラットフォーマー")
    assert notice.summary == "パッセージに付けたトピック「プラットフォーマー」の名前が「巨大プラットフォーム」に変わりました。"
    assert _kinds(other_analyst) == []  # never tagged with it
    # Saving the topic without a new name (its description, say) is no news.
    topic.description = "説明"
    alerts.rename_topic(topic=topic, name=topic.name, slug=topic.slug, editor=editor)
    assert Notification.objects.count() == 1


def test_merging_a_topic_notifies_its_analysts_but_not_the_editor(
    passage, bystander, analyst, other_analyst, editor
):
    passage_services.create_passage(section=bystander.section, analyst=editor,
                                    exact="規制は続く", topics=["データ"])
    data, platformers = Topic.objects.get(name="データ"), Topic.objects.get(slug="platformers")
    alerts.merge_topics(source=data, target=platformers, editor=editor)
    [notice] = Notification.objects.select_related("topic")
    assert (notice.recipient, notice.kind, notice.topic, notice.old_name) == (
        other_analyst, "merged", platformers, "データ")


def test_a_topic_renamed_and_merged_in_the_admin_notifies(editor_client, passage, analyst):
    topic = Topic.objects.get(slug="platformers")
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "巨大IT", "name_en": "", "slug": "big-tech", "description": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Topic.objects.create(slug="it", name="IT")
    response = editor_client.post(reverse("admin:kb_topic_changelist"), {
        "action": "merge_into", "_selected_action": [topic.pk], "apply": "1", "target": target.pk,
    })
    assert response.status_code == 302
    assert [(n.kind, n.old_name) for n in Notification.objects.order_by("id")] == [
        ("renamed", "プラットフォーマー"), ("merged", "巨大IT")]


# The badge and the inbox -----------------------------------------------------------------


def _notify(passage, count):
    Notification.objects.bulk_create(
        Notification(recipient=passage.analyst, kind="fuzzy", passage=passage) for _ in range(count))


def _queries_on_notifications(client, url):
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return html, [q["sql"] for q in queries if "kb_notification" in q["sql"]]


def test_the_header_badge_counts_unread_notifications_in_one_query(client, passage, analyst):
    _notify(passage, 3)
    client.force_login(analyst)
    html, queries = _queries_on_notifications(client, "/")
    assert 'class="badge"' in html and ">3</span>" in html
    assert len(queries) == 1
    Notification.objects.update(read_at="2026-12-01T00:00:00Z")
    html, queries = _queries_on_notifications(client, "/")
    assert 'class="badge"' not in html and len(queries) == 1


def test_anonymous_pages_have_no_badge_and_no_inbox_query(client, passage):
    _notify(passage, 1)
    html, queries = _queries_on_notifications(client, "/")
    assert reverse("kb:inbox") not in html and queries == []


def test_readers_who_cannot_tag_get_no_badge(client, django_user_model):
    # Only analysts (and editors) have passages to be told about.
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    html, queries = _queries_on_notifications(client, "/")
    assert reverse("kb:inbox") not in html and queries == []


def test_inbox_lists_newest_first_with_links_to_the_repair(client, article, passage, analyst, editor):
    _edit(passage, BODY.replace("eCredital", "eKredital"), editor)
    alerts.rename_topic(topic=Topic.objects.get(slug="platformers"), name="巨大IT", editor=editor)
    client.force_login(analyst)
    html = client.get(reverse("kb:inbox")).content.decode()
    fuzzy, renamed = Notification.objects.order_by("id")
    assert html.index(f'id="notification-{renamed.pk}"') < html.index(f'id="notification-{fuzzy.pk}"')
    assert str(renamed.summary) in html and str(fuzzy.summary) in html
    assert f'href="{passage.get_absolute_url()}"' in html
    assert f'href="{reverse("kb:passages_repair")}#p{passage.pk}"' in html
    assert f'<blockquote lang="ja">{QUOTE}</blockquote>' in html
    # A passage that merely moved (or was repaired since) is not sent to the repair list.
    passage_services.confirm_passage(passage=Passage.objects.get())
    assert f'{reverse("kb:passages_repair")}#p{passage.pk}' not in client.get(
        reverse("kb:inbox")).content.decode()
    assert f'href="{Topic.objects.get(name="巨大IT").get_absolute_url()}"' in html


def test_inbox_is_paginated_and_its_queries_do_not_grow(client, passage, analyst, django_assert_num_queries):
    client.force_login(analyst)
    _notify(passage, 2)
    # session, user, the header's permissions (2) and badge, the page's count and rows
    with django_assert_num_queries(7):
        client.get(reverse("kb:inbox"))
    _notify(passage, 40)
    with django_assert_num_queries(7):
        html = client.get(reverse("kb:inbox")).content.decode()
    assert html.count('class="notification unread"') == 25
    assert client.get(reverse("kb:inbox") + "?page=2").content.decode().count(
        'class="notification unread"') == 17
    assert client.get(reverse("kb:inbox") + "?page=9").status_code == 404


def test_inbox_needs_a_login(client):
    response = client.get(reverse("kb:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_mark_all_read_needs_post_and_csrf(passage, analyst, other_analyst):
    _notify(passage, 2)
    Notification.objects.create(recipient=other_analyst, kind="moved", passage=passage)
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.get(reverse("kb:inbox_read")).status_code == 405
    assert client.post(reverse("kb:inbox_read")).status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 3
    token = client.get(reverse("kb:inbox")).cookies["csrftoken"].value
    response = client.post(reverse("kb:inbox_read"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("kb:inbox")
    assert list(Notification.objects.filter(read_at__isnull=True).values_list(
        "recipient", flat=True)) == [other_analyst.pk]  # only the user's own
    html = client.get(reverse("kb:inbox")).content.decode()
    assert 'class="badge"' not in html and reverse("kb:inbox_read") not in html


# E-mail ----------------------------------------------------------------------------------


def test_no_mail_by_default(passage, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _edit(passage, "全く別の本文になった。", editor)
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_mail_is_sent_once_per_analyst_after_the_commit(
    settings, article, passage, bystander, editor, django_capture_on_commit_callbacks
):
    settings.KB_NOTIFY_EMAIL = True
    with django_capture_on_commit_callbacks() as callbacks:
        # An article edit knocking loose two passages of two analysts, in two sections.
        passage_services.delete_sections(sections=article.sections.all(), editor=editor)
        passage_services.delete_sections(sections=article.sections.none(), editor=editor)
        assert mail.outbox == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["analyst2@example.org", "analyst@example.org"]
    [message] = [m for m in mail.outbox if m.to == ["analyst@example.org"]]
    assert QUOTE in message.body and reverse("kb:inbox") in message.body
    for callback in callbacks:  # a later commit finds nothing left to send
        callback()
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_rolled_back_edit_mails_nobody(settings, passage, editor, django_capture_on_commit_callbacks):
    settings.KB_NOTIFY_EMAIL = True
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        _edit(passage, "全く別の本文になった。", editor)
        raise RuntimeError
    assert callbacks == [] and mail.outbox == [] and Passage.objects.get().status == "anchored"
