"""Passages over HTTP: the page's JSON endpoints (roles, CSRF, validation), the article and
topic pages, my passages with its exports, and the repair list."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from kb.library import services as library_services
from kb.models import Passage, TaggedPassage, Topic
from kb.passages import services as passage_services
from kb.site import roles
from tests.passage_requests import api_request, passage_payload

BODY = "電子商取引の拡大。𠮷野家のアリババは与信スコアの算出にeCreditalのデータを使う。規制は強まる。"
QUOTE = "与信スコアの算出にeCreditalのデータを使う"


@pytest.fixture
def section(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")
    article = make_article(title="与信の報告", sections=[("与信スコア", BODY, ["platformers"])])
    return article.sections.get()


@pytest.fixture
def other_analyst(django_user_model):
    user = django_user_model.objects.create_user("analyst2", password="pw")
    user.groups.add(Group.objects.get(name=roles.ANALYST_GROUP))
    return user


def _payload(section, quote=QUOTE, **extra):
    return passage_payload(section, quote, **extra)


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # the page sets the CSRF cookie, as a browser would receive it
    return client, client.cookies["csrftoken"].value


def _passage(section, analyst, quote=QUOTE, **kwargs):
    return passage_services.create_passage(section=section, analyst=analyst, exact=quote,
                                   topics=kwargs.pop("topics", ["platformers"]), **kwargs)


def test_analyst_creates_a_passage_with_utf16_offsets_past_a_supplementary_character(section, analyst):
    client, token = _csrf_client(analyst)
    payload = _payload(section)
    # The browser counts 𠮷 as two units; the stored position counts it as one.
    assert payload["start16"] == section.plain_text.index(QUOTE) + 1
    response = api_request(client, payload, token)
    assert response.status_code == 201, response.content
    data = response.json()
    passage = Passage.objects.get()
    assert (passage.start, passage.end) == (section.plain_text.index(QUOTE),
                                            section.plain_text.index(QUOTE) + len(QUOTE))
    assert passage.exact == QUOTE and passage.analyst == analyst and passage.note == "信用スコアの根拠"
    assert (data["start16"], data["end16"]) == (payload["start16"], payload["end16"])
    assert sorted(t["name"] for t in data["topics"]) == ["データ制度", "プラットフォーマー"]
    assert data["canChange"] and data["analyst"] == "analyst"


def test_write_without_csrf_token_is_refused(section, analyst):
    client, _ = _csrf_client(analyst)
    assert api_request(client, _payload(section)).status_code == 403
    passage = _passage(section, analyst, note="元")
    url = reverse("kb:api_passage", args=[passage.pk])
    assert api_request(client, {"note": "改"}, method="patch", url=url).status_code == 403
    assert api_request(client, {}, method="delete", url=url).status_code == 403
    passage.refresh_from_db()
    assert Passage.objects.count() == 1 and passage.note == "元"


def test_readers_get_403_and_change_nothing(client, section, analyst):
    passage = _passage(section, analyst, note="元")
    url = reverse("kb:api_passage", args=[passage.pk])
    assert api_request(client, _payload(section)).status_code == 403
    assert api_request(client, {"note": "改"}, method="patch", url=url).status_code == 403
    assert api_request(client, {}, method="delete", url=url).status_code == 403
    assert client.post(reverse("kb:passage_delete", args=[passage.pk])).status_code == 403
    assert client.post(reverse("kb:passage_confirm", args=[passage.pk])).status_code == 403
    passage.refresh_from_db()
    assert Passage.objects.count() == 1 and passage.note == "元"


def test_analyst_cannot_change_another_analysts_passage_but_an_editor_can(
    client, section, analyst, other_analyst, editor
):
    passage = _passage(section, analyst, note="元")
    url = reverse("kb:api_passage", args=[passage.pk])
    client.force_login(other_analyst)
    assert api_request(client, {"note": "改"}, method="patch", url=url).status_code == 403
    assert api_request(client, {}, method="delete", url=url).status_code == 403
    passage.refresh_from_db()
    assert passage.note == "元"
    client.force_login(editor)
    response = api_request(client, {"note": "編集者が直した", "topics": ["AI規制"]}, method="patch", url=url)
    assert response.status_code == 200
    passage.refresh_from_db()
    assert passage.note == "編集者が直した" and [t.name for t in passage.topics.all()] == ["AI規制"]
    assert passage.analyst == analyst  # still the analyst's passage


def test_analyst_edits_and_deletes_own_passage(client, section, analyst):
    passage = _passage(section, analyst)
    url = reverse("kb:api_passage", args=[passage.pk])
    client.force_login(analyst)
    response = api_request(client, {"topics": ["規制"], "note": "改"}, method="patch", url=url)
    assert response.json()["note"] == "改" and [t["name"] for t in response.json()["topics"]] == ["規制"]
    assert api_request(client, {}, method="delete", url=url).status_code == 204
    assert not Passage.objects.exists() and not TaggedPassage.objects.exists()


@pytest.mark.parametrize("change,status,message", [
    ({"exact": "違う文"}, 409, "reload"),  # the page's text is older than the section's
    ({"start16": 0}, 409, "reload"),
    ({"start16": 10_000, "end16": 10_020}, 409, "reload"),
    ({"topics": []}, 400, "at least one tag"),
    ({"topics": "platformers"}, 400, "list"),
    ({"section": 999_999}, 404, "section"),
    ({"note": 5}, 400, "text"),
])
def test_bad_requests_are_refused_with_a_message_and_change_nothing(
    client, section, analyst, change, status, message
):
    client.force_login(analyst)
    client.cookies.load({"django_language": "en"})
    response = api_request(client, {**_payload(section), **change})
    assert response.status_code == status
    assert message in response.json()["error"]
    assert not Passage.objects.exists()


def test_malformed_json_is_a_400(client, section, analyst):
    client.force_login(analyst)
    response = client.post(reverse("kb:api_passages"), "{nope", content_type="application/json")
    assert response.status_code == 400 and not Passage.objects.exists()


def test_reattach_through_the_endpoint(client, section, analyst):
    passage = _passage(section, analyst)
    section.body = "全く別の本文。規制は強まる。"
    passage_services.save_section(section=section)
    passage.refresh_from_db()
    assert passage.status == "orphaned"
    client.force_login(analyst)
    url = reverse("kb:api_passage", args=[passage.pk])
    response = api_request(client, _payload(section, quote="規制は強まる"), method="patch", url=url)
    assert response.status_code == 200
    passage.refresh_from_db()
    assert (passage.status, passage.exact, passage.section_version) == ("anchored", "規制は強まる", 2)


def test_article_page_carries_passages_for_the_script(client, section, analyst):
    passage = _passage(section, analyst, note="注")
    html = client.get(section.article.get_absolute_url()).content.decode()
    config = json.loads(html.split('<script id="kb-passages" type="application/json">')[1].split("</script>")[0])
    [data] = config["passages"]
    start = section.plain_text.index(QUOTE)
    assert (data["id"], data["section"], data["start16"]) == (passage.pk, section.pk, start + 1)
    assert data["note"] == "注" and data["analyst"] == "analyst"
    assert data["canChange"] is False and config["canTag"] is False  # a reader
    assert 'src="/static/kb/passages.js"' in html
    assert f'data-section-id="{section.pk}"' in html


def test_topic_page_lists_passages_separately_with_links_to_the_highlight(
    client, section, analyst, frozen_clock
):
    passage = _passage(section, analyst, note="根拠の一文")
    topic = Topic.objects.get(slug="platformers")
    html = client.get(topic.get_absolute_url()).content.decode()
    passages_part = html[html.index('id="passages-heading"'):html.index('id="sections-heading"')]
    assert "パッセージ 1 件" in passages_part
    assert f'href="{section.article.get_absolute_url()}#passage-{passage.pk}"' in passages_part
    assert QUOTE in passages_part and "根拠の一文" in passages_part
    assert "与信の報告" in passages_part and "与信スコア" in passages_part and "analyst" in passages_part
    # Made at 23:30 UTC on 30 November: the site's (Tokyo's) date, the UTC instant for machines.
    assert '<time datetime="2026-11-30T23:30:00Z">2026-12-01</time>' in passages_part
    # The section list is still there, below.
    assert f'#{section.anchor}"' in html[html.index('id="sections-heading"'):]


def test_a_late_evening_passage_shows_the_sites_date_on_every_page_and_card(
    client, section, analyst, frozen_clock
):
    """One passage, one date: the article page's card and the topic page agree, in Tokyo."""
    passage = _passage(section, analyst)
    html = client.get(section.article.get_absolute_url()).content.decode()
    config = json.loads(html.split('<script id="kb-passages" type="application/json">')[1].split("</script>")[0])
    assert [p["created"] for p in config["passages"]] == ["2026-12-01"]
    client.force_login(analyst)
    for url in (Topic.objects.get(slug="platformers").get_absolute_url(), reverse("kb:my_passages")):
        html = client.get(url).content.decode()
        assert '<time datetime="2026-11-30T23:30:00Z">2026-12-01</time>' in html, url
    # What the script gets from the API (after a save too) is the same date.
    assert client.get(reverse("kb:api_passage", args=[passage.pk])).json()["created"] == "2026-12-01"


def test_topic_rename_and_merge_redirect_old_urls_and_move_every_tag(client, section, analyst, make_article):
    platformers = Topic.objects.get(slug="platformers")
    big_tech = Topic.objects.create(slug="big-tech", name="巨大IT", name_en="Big Tech")
    other = make_article(sections=[("s", "巨大ITの本文。", ["big-tech", "platformers"])]).sections.get()
    passage = _passage(section, analyst, topics=["big-tech"])
    both = _passage(other, analyst, quote="巨大IT", topics=["big-tech", "platformers"])

    library_services.rename_topic(topic=big_tech, name="ビッグテック", slug="bigtech")
    response = client.get(reverse("kb:topic", args=["big-tech"]))
    assert response.status_code == 301 and response["Location"] == "/topics/bigtech/"

    library_services.merge_topics(source=big_tech, target=platformers)
    for old in ("big-tech", "bigtech"):
        response = client.get(reverse("kb:topic", args=[old]))
        assert response.status_code == 301 and response["Location"] == platformers.get_absolute_url()
    assert not Topic.objects.filter(slug="bigtech").exists()
    assert [t.slug for t in passage.topics.all()] == ["platformers"]
    assert [t.slug for t in both.topics.all()] == ["platformers"]  # no duplicate tag
    assert [t.slug for t in other.topics.all()] == ["platformers"]
    # Its names before the rename too: a renamed topic keeps its old names as aliases.
    assert {a.name for a in platformers.aliases.all()} == {"ビッグテック", "Big Tech", "巨大IT"}
    html = client.get(platformers.get_absolute_url()).content.decode()
    assert "巨大ITの本文" in html and QUOTE in html


def test_rename_into_an_existing_name_is_refused(section):
    topic = Topic.objects.create(slug="ai", name="AI規制")
    with pytest.raises(passage_services.ValidationError):
        library_services.rename_topic(topic=topic, name="プラットフォーマー")
    topic.refresh_from_db()
    assert topic.name == "AI規制"


def test_my_passages_filters_by_topic_and_article(client, section, analyst, other_analyst, make_article):
    mine = _passage(section, analyst, note="私の")
    other_section = make_article(title="別の記事", sections=[("s", "AI規制の本文。", [])]).sections.get()
    second = _passage(other_section, analyst, quote="AI規制", topics=["AI規制"])
    _passage(section, other_analyst, quote="規制は強まる", note="他人の")
    client.force_login(analyst)
    url = reverse("kb:my_passages")
    html = client.get(url).content.decode()
    assert QUOTE in html and "AI規制" in html and "他人の" not in html
    html = client.get(url, {"topic": "platformers"}).content.decode()
    assert f"#passage-{mine.pk}" in html and f"#passage-{second.pk}" not in html
    html = client.get(url, {"article": other_section.article.slug}).content.decode()
    assert f"#passage-{second.pk}" in html and f"#passage-{mine.pk}" not in html


def test_my_passages_needs_the_analyst_role(client, section, django_user_model):
    assert client.get(reverse("kb:my_passages")).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("nobody", password="pw"))
    assert client.get(reverse("kb:my_passages")).status_code == 403
    assert client.get(reverse("kb:passages_csv")).status_code == 403


def test_csv_export(client, section, analyst):
    passage = _passage(section, analyst, note="=HYPERLINK(\"x\")")
    client.force_login(analyst)
    response = client.get(reverse("kb:passages_csv"), {"topic": "platformers"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    record = dict(zip(header, row, strict=True))
    assert record["quote"] == QUOTE and record["topics"] == "プラットフォーマー"
    assert record["note"] == "'=HYPERLINK(\"x\")"  # not run as a formula by a spreadsheet
    assert record["url"].endswith(f"#passage-{passage.pk}")
    assert (int(record["start"]), int(record["end"])) == (passage.start, passage.end)


def test_csv_export_shows_times_in_the_sites_zone(client, section, analyst, frozen_clock):
    _passage(section, analyst)
    client.force_login(analyst)
    text = client.get(reverse("kb:passages_csv")).content.decode("utf-8").lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    record = dict(zip(header, row, strict=True))
    assert record["created"] == record["updated"] == "2026-12-01T08:30:00+09:00"


def test_repair_list_confirm_and_delete(client, section, analyst, other_analyst):
    fuzzy = _passage(section, analyst)
    orphan = _passage(section, analyst, quote="電子商取引の拡大")
    fine = _passage(section, analyst, quote="規制は強まる")
    section.body = BODY.replace("使う", "活用する").replace("電子商取引の拡大。", "")
    passage_services.save_section(section=section)
    client.force_login(analyst)
    html = client.get(reverse("kb:passages_repair")).content.decode()
    assert f"#passage-{fuzzy.pk}" in html and f"#passage-{orphan.pk}" in html
    assert f"#passage-{fine.pk}" not in html
    assert "<q lang=\"ja\">与信スコアの算出にeCreditalのデータを活用</q>" in html  # the text there now
    assert f"?reattach={orphan.pk}" in html

    client.force_login(other_analyst)
    assert client.post(reverse("kb:passage_confirm", args=[fuzzy.pk])).status_code == 403
    client.force_login(analyst)
    response = client.post(reverse("kb:passage_confirm", args=[fuzzy.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("kb:passages_repair")
    fuzzy.refresh_from_db()
    assert fuzzy.status == "anchored" and fuzzy.exact.endswith("データを活用")
    client.post(reverse("kb:passage_delete", args=[orphan.pk]))
    assert not Passage.objects.filter(pk=orphan.pk).exists()
    client.cookies.load({"django_language": "en"})
    assert "No passages yet." in client.get(reverse("kb:passages_repair")).content.decode()


def test_a_tag_created_from_a_passage_is_found_by_search(client, section, analyst):
    client.force_login(analyst)
    response = api_request(client, _payload(section, topics=["越境データ流通"]))
    assert response.status_code == 201
    data = client.get(reverse("kb:api-search"), {"q": "越境データ流通"}).json()
    assert [t["name"] for t in data["topics"]] == ["越境データ流通"]


def test_the_tag_editor_asks_whether_a_tag_is_new(client, section):
    """The endpoint the tag editor calls to show a typed tag as existing or new."""
    url = reverse("kb:api_topic_match")
    assert client.get(url, {"name": "ｐｌａｔｆｏｒｍ ers"}).json() == {
        "match": {"name": "プラットフォーマー", "slug": "platformers"}}
    assert client.get(url, {"name": "与信データ"}).json() == {"match": None}
    assert client.get(url).json() == {"match": None}


def test_my_passages_filter_by_an_old_topic_slug_follows_the_rename(client, section, analyst):
    mine = _passage(section, analyst)
    library_services.rename_topic(topic=Topic.objects.get(slug="platformers"), name="巨大IT", slug="big-tech")
    client.force_login(analyst)
    html = client.get(reverse("kb:my_passages"), {"topic": "platformers"}).content.decode()
    assert f"#passage-{mine.pk}" in html


def _raw(section, **fields):
    """A create request's body with ``fields`` written as raw JSON text."""
    body = json.dumps(_payload(section))[:-1]
    return body + "".join(f', "{name}": {raw}' for name, raw in fields.items()) + "}"


@pytest.mark.parametrize("raw, message", [
    # A lone surrogate is valid JSON but no text a database can store.
    (lambda s: _raw(s, note='"\\ud800"'), "cannot be stored"),
    (lambda s: _raw(s, topics='["a\\udfffb"]'), "cannot be stored"),
    # Nested deeper than the parser's recursion allows.
    (lambda s: _raw(s, note="[" * 5_000 + "]" * 5_000), "not valid JSON"),
    # Past Python's limit on an integer's digits.
    (lambda s: _raw(s, start16="9" * 5_000), "not valid JSON"),
], ids=["surrogate-note", "surrogate-tag", "deep", "long-integer"])
def test_json_python_cannot_hold_is_a_400_in_the_users_language(
    section, analyst, raw, message
):
    client = Client(raise_request_exception=False)  # a 500 is a status, as users see it
    client.force_login(analyst)
    client.cookies.load({"django_language": "en"})
    url = reverse("kb:api_passages")
    response = client.post(url, raw(section), content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]
    mine = _passage(section, analyst)
    client.cookies.load({"django_language": "ja"})
    response = client.patch(reverse("kb:api_passage", args=[mine.pk]), raw(section),
                            content_type="application/json")
    assert response.status_code == 400 and "リクエスト" in response.json()["error"]
    assert Passage.objects.get() == mine and Passage.objects.get().note == ""
    assert list(mine.topics.values_list("slug", flat=True)) == ["platformers"]


def test_a_passage_over_a_carriage_return_entity_is_saved(make_article, analyst):
    """``&#13;`` put a CR in the stored HTML, which browsers read as a line feed: the
    selection never matched the plain text (409)."""
    article = make_article(sections=[("改行", "改行の前&#13;改行の後。", [])])
    section = article.sections.get()
    page_text = "改行の前\n改行の後。"  # the body's textContent in a browser
    client, token = _csrf_client(analyst)
    response = api_request(client, {"section": section.pk, "exact": "前\n改行", "start16": 3,
                                   "end16": 7, "topics": ["改行"]}, token)
    assert response.status_code == 201, response.content
    assert section.plain_text == page_text
    assert Passage.objects.get().exact == "前\n改行"
