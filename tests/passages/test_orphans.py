"""A passage is never deleted by an edit: when its section (or its whole article) is
deleted, it stays as an orphan of its article, listed for repair and re-attachable."""

import csv
import io
import json
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.models import Article, Passage, Section
from kb.passages import services as passage_services
from tests.html_forms import inline_post
from tests.passage_requests import api_request, passage_payload

KEEP = "電子商取引の拡大。規制は強まる。"
GONE = "アリババは与信スコアの算出にeCreditalのデータを使う。"
QUOTE = "与信スコアの算出"
orphan_migration = import_module("kb.migrations.0003_passage_orphans")


@pytest.fixture
def article(make_article):
    return make_article(title="与信の報告", sections=[("残る節", KEEP, []), ("消える節", GONE, [])])


@pytest.fixture
def passage(article, analyst):
    return passage_services.create_passage(
        section=article.sections.get(heading="消える節"), analyst=analyst, exact=QUOTE,
        topics=["与信"], note="根拠",
    )


def _page_config(html):
    return json.loads(html.split('<script id="kb-passages" type="application/json">')[1]
                      .split("</script>")[0])


def _assert_orphan_kept(passage, article):
    passage.refresh_from_db()
    assert (passage.section, passage.article_id, passage.status) == (None, article.pk, "orphaned")
    assert (passage.exact, passage.note) == (QUOTE, "根拠")
    assert [t.name for t in passage.topics.all()] == ["与信"]


def test_deleting_a_section_in_the_admin_inline_keeps_its_passage_as_an_orphan(
    editor_client, article, passage
):
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-1-DELETE": "on"}),
    )
    assert response.status_code == 302
    assert list(article.sections.values_list("heading", flat=True)) == ["残る節"]
    _assert_orphan_kept(passage, article)


def test_update_article_and_restore_that_drop_a_section_keep_its_passage(article, passage):
    first = Version.objects.get_for_object(article).get()
    kept = article.sections.get(heading="残る節")
    editorial_services.update_article(
        article=article, loaded_version=1, user=None,
        data=editorial_services.ArticleData(title=article.title, slug=article.slug, kind=article.kind,
                                  sections=[editorial_services.SectionData("残る節", KEEP, anchor=kept.anchor)]),
    )
    _assert_orphan_kept(passage, article)

    # Back to the first revision (the section returns), then forward again by restoring.
    editorial_services.restore_revision(version=first, user=None)
    passage_services.update_passage(passage=passage, exact=QUOTE, section=Section.objects.get(heading="消える節"))
    passage.refresh_from_db()
    assert passage.status == "anchored"
    second = Version.objects.get_for_object(article).order_by("-pk")[1]
    editorial_services.restore_revision(version=second, user=None)
    _assert_orphan_kept(passage, article)


def test_deleting_a_section_in_the_section_admin_keeps_its_passage(editor_client, article, passage):
    section = passage.section
    response = editor_client.post(reverse("admin:kb_section_delete", args=[section.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Section.objects.filter(pk=section.pk).exists()
    _assert_orphan_kept(passage, article)


def test_admin_revert_to_a_revision_without_the_section_orphans_its_passage(
    editor_client, make_article, analyst
):
    article = make_article(title="与信の報告", sections=[("残る節", KEEP, [])])
    first = Version.objects.get_for_object(article).get()
    kept = article.sections.get()
    editorial_services.update_article(
        article=article, loaded_version=1, user=None,
        data=editorial_services.ArticleData(title=article.title, slug=article.slug, kind=article.kind, sections=[
            editorial_services.SectionData("残る節", KEEP, anchor=kept.anchor),
            editorial_services.SectionData("消える節", GONE)]),
    )
    passage = passage_services.create_passage(section=Section.objects.get(heading="消える節"),
                                      analyst=analyst, exact=QUOTE, topics=["与信"], note="根拠")
    data = inline_post(article, {})
    # The form shows the old revision: one section, at version 1.
    data.update({"sections-TOTAL_FORMS": "1", "sections-INITIAL_FORMS": "1", "loaded_version": "1"})
    data = {k: v for k, v in data.items() if not k.startswith("sections-1-")}
    response = editor_client.post(
        reverse("admin:kb_article_revision", args=[article.pk, first.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert article.sections.count() == 1
    _assert_orphan_kept(passage, article)


def test_orphan_is_listed_for_repair_and_in_my_passages_with_its_article_and_no_section(
    editor_client, article, passage, analyst
):
    editor_client.post(reverse("admin:kb_article_change", args=[article.pk]),
                       inline_post(article, {"sections-1-DELETE": "on"}))
    client = Client()
    client.force_login(analyst)
    for url in (reverse("kb:passages_repair"), reverse("kb:my_passages")):
        html = client.get(url).content.decode()
        item = html[html.index(f'id="p{passage.pk}"'):html.index("</ol>")]
        assert QUOTE in item and "根拠" in item and "与信" in item
        assert f'<a lang="ja" href="{article.get_absolute_url()}">与信の報告</a>' in item
        assert "（セクションは削除済み）" in item and "消える節" not in item
        assert f'href="{article.get_absolute_url()}?reattach={passage.pk}"' in item  # no #anchor
        assert "孤立" in item  # the status
    assert "編集の後、1 件のパッセージに修復が必要です" in client.get(reverse("kb:my_passages")).content.decode()
    # The article filter of "my passages" still finds it.
    html = client.get(reverse("kb:my_passages"), {"article": article.slug}).content.decode()
    assert f'id="p{passage.pk}"' in html


def test_orphan_is_reattached_on_its_article_page(client, article, passage, analyst, make_article):
    passage_services.delete_sections(sections=Section.objects.filter(pk=passage.section_id))
    client.force_login(analyst)
    # The page carries the orphan (no place to highlight) so ?reattach=<id> can find it.
    html = client.get(article.get_absolute_url() + f"?reattach={passage.pk}").content.decode()
    data = {p["id"]: p for p in _page_config(html)["passages"]}[passage.pk]
    assert (data["section"], data["start16"], data["status"]) == (None, None, "orphaned")

    url = reverse("kb:api_passage", args=[passage.pk])
    # Text of another article is refused, and nothing changes.
    elsewhere = make_article(sections=[("s", KEEP, [])]).sections.get()
    refused = api_request(client, passage_payload(elsewhere, "規制は強まる"), method="patch", url=url)
    assert refused.status_code == 400
    passage.refresh_from_db()
    assert passage.section is None

    kept = article.sections.get()
    response = api_request(client, passage_payload(kept, "規制は強まる"), method="patch", url=url)
    assert response.status_code == 200, response.content
    passage.refresh_from_db()
    assert (passage.section, passage.status, passage.exact) == (kept, "anchored", "規制は強まる")
    assert passage.note == "信用スコアの根拠"  # the payload's note
    [data] = _page_config(client.get(article.get_absolute_url()).content.decode())["passages"]
    assert (data["section"], data["start16"]) == (kept.pk, kept.plain_text.index("規制は強まる"))


def test_orphan_exports_target_the_article_with_the_quote_only(client, article, passage, analyst):
    passage_services.delete_sections(sections=Section.objects.filter(pk=passage.section_id))
    client.force_login(analyst)
    text = client.get(reverse("kb:passages_csv")).content.decode("utf-8").lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    record = dict(zip(header, row, strict=True))
    assert record["article"] == "与信の報告" and record["article_url"].endswith(article.get_absolute_url())
    assert (record["section"], record["section_heading"], record["status"]) == ("", "", "orphaned")
    assert record["url"].endswith(f"{article.get_absolute_url()}#passage-{passage.pk}")

    [annotation] = json.loads(client.get(reverse("kb:passages_jsonld")).content)["first"]["items"]
    # The article's page at the section the passage was last on (tests/exchange has the rest).
    assert annotation["target"]["source"]["id"].endswith(
        f"{article.get_absolute_url()}#{passage.section_anchor}")
    assert annotation["target"]["selector"] == [
        {"type": "TextQuoteSelector", "exact": QUOTE,
         "prefix": passage.prefix, "suffix": passage.suffix}]


def test_deleted_article_keeps_its_passages_orphaned_until_recovered(
    editor_client, article, passage, analyst
):
    on_kept = passage_services.create_passage(section=article.sections.get(heading="残る節"),
                                      analyst=analyst, exact="規制は強まる", topics=["規制"])
    pk = article.pk
    editor_client.post(reverse("admin:kb_article_delete", args=[pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=pk).exists()
    assert set(Passage.objects.values_list("status", "section", "article_id")) == {
        ("orphaned", None, pk)}
    client = Client()  # the analyst, beside the editor's session
    client.force_login(analyst)
    html = client.get(reverse("kb:passages_repair")).content.decode()
    assert QUOTE in html and "規制は強まる" in html and "（記事は削除済み）" in html
    assert "?reattach=" not in html  # nowhere to re-attach yet
    assert client.get(reverse("kb:passages_csv")).status_code == 200
    [item, _other] = json.loads(client.get(reverse("kb:passages_jsonld")).content)["first"]["items"]
    assert item["target"]["source"] == {"id": item["id"]}  # no article page left
    # Editors still see and can review it in the admin.
    for url in (reverse("admin:kb_passage_changelist"),
                reverse("admin:kb_passage_change", args=[passage.pk])):
        assert QUOTE in editor_client.get(url).content.decode()

    version = Version.objects.get_deleted(Article).get(object_id=str(pk))
    data = inline_post(article, {})
    data["loaded_version"] = "1"
    assert editor_client.post(reverse("admin:kb_article_recover", args=[version.pk]), data
                              ).status_code == 302
    html = client.get(reverse("kb:passages_repair")).content.decode()
    assert f'href="{article.get_absolute_url()}?reattach={on_kept.pk}"' in html
    page = _page_config(client.get(article.get_absolute_url()).content.decode())
    assert {p["id"] for p in page["passages"]} == {passage.pk, on_kept.pk}


def test_article_page_query_count_is_the_same_with_orphans(client, article, passage, analyst):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(context)

    placed = queries()
    for n in range(3):
        passage_services.create_passage(section=passage.section, analyst=analyst, exact="eCredital",
                                topics=[f"t{n}"])
    passage_services.delete_sections(sections=Section.objects.filter(pk=passage.section_id))
    assert Passage.objects.filter(status="orphaned").count() == 4
    assert queries() == placed


def test_migration_fills_the_article_and_going_back_refuses_to_lose_orphans(article, passage):
    Passage.objects.update(article=None)
    orphan_migration.fill_article(apps, None)
    assert Passage.objects.get().article_id == article.pk
    orphan_migration.refuse_orphans(apps, None)  # nothing to lose: fine
    passage_services.delete_sections(sections=Section.objects.filter(pk=passage.section_id))
    with pytest.raises(RuntimeError, match="1 orphaned passage"):
        orphan_migration.refuse_orphans(apps, None)
