"""Passages as W3C Web Annotations: every MUST assertion of the W3C test suite holds for each
kind of passage (anchored, fuzzy, orphaned, of a deleted article), alone and in the export's
AnnotationCollection and its AnnotationPages; and what the issue asks beyond the suite."""

import json

import pytest
from django.urls import reverse

from kb.exchange import annotations
from kb.models import Passage, Section
from kb.passages import services as passage_services
from kb.site.canonical import absolute
from tests.standards.web_annotation_suite import failed_musts

SITE = "https://kb.example.org"
BODY = "電子商取引の拡大。𠮷野家のアリババは与信スコアの算出にeCreditalのデータを使う。規制は強まる。"
QUOTE = "与信スコアの算出にeCreditalのデータを使う"
LD_JSON = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture(autouse=True)
def _site(settings):
    settings.KB_SITE_URL = SITE + "/"  # a trailing slash is tolerated
    settings.ALLOWED_HOSTS = ["testserver", "intranet.local"]


@pytest.fixture
def article(make_article):
    return make_article(title="与信の報告", slug="credit", sections=[
        ("与信スコア", BODY, []), ("規制", "当局は規制を強める方針だ。", []),
        ("消える節", "この節は後で削除される。", []),
    ])


@pytest.fixture
def passages(article, analyst, make_article):
    """One of each: anchored (note, two tags, one a new free tag), fuzzy, orphaned, and an
    orphan of a deleted article."""
    first, second, third = article.sections.order_by("position")
    anchored = passage_services.create_passage(
        section=first, analyst=analyst, exact="電子商取引の拡大", topics=["与信", "データ制度"],
        note="根拠\n二行目")
    fuzzy = passage_services.create_passage(section=first, analyst=analyst, exact=QUOTE,
                                            topics=["与信"])
    first.body = BODY.replace("使う", "活用する")
    passage_services.save_section(section=first)
    orphan = passage_services.create_passage(section=third, analyst=analyst,
                                             exact="後で削除", topics=["与信"])
    passage_services.delete_sections(sections=Section.objects.filter(pk=third.pk))
    doomed = make_article(title="消える記事", sections=[("節", "消える本文。", [])])
    gone = passage_services.create_passage(section=doomed.sections.get(), analyst=analyst,
                                           exact="消える本文", topics=["与信"])
    passage_services.delete_article(article=doomed)
    for p in (anchored, fuzzy, orphan, gone):
        p.refresh_from_db()
    assert [p.status for p in (anchored, fuzzy, orphan, gone)] == [
        "anchored", "fuzzy", "orphaned", "orphaned"]
    return {"anchored": anchored, "fuzzy": fuzzy, "orphan": orphan, "gone": gone}


def _export(client, **params):
    response = client.get(reverse("kb:passages_jsonld"), params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(LD_JSON)
    return json.loads(response.content)


def _by_id(items):
    return {item["id"]: item for item in items}


def test_every_kind_of_passage_passes_the_w3c_must_assertions(client, analyst, passages):
    client.force_login(analyst)
    collection = _export(client)
    assert failed_musts("collection", collection) == []
    assert failed_musts("page", collection["first"]) == []
    items = _by_id(collection["first"]["items"])
    assert len(items) == collection["total"] == 4
    for name, passage in passages.items():
        annotation = items[absolute(f"/api/passages/{passage.pk}/")]
        assert failed_musts("annotation", annotation) == [], name
        # The same annotation alone, from the passage's own URL.
        alone = client.get(reverse("kb:api_passage", args=[passage.pk]), HTTP_ACCEPT=LD_JSON)
        assert json.loads(alone.content) == annotation, name
        assert failed_musts("annotation", json.loads(alone.content)) == [], name


def test_the_suite_runner_catches_what_the_issue_forbids(client, analyst, passages):
    """The runner fails annotations as kb exported them before: tags as TextualBody with an
    id, a target with two sources, a time without a zone, no @context."""
    client.force_login(analyst)
    [good, *_] = _export(client)["first"]["items"]
    broken = [
        {**good, "body": [{"type": "TextualBody", "purpose": "tagging", "value": "与信",
                           "id": SITE + "/topics/credit/"}]},
        {**good, "target": {**good["target"], "source": [SITE + "/a/", SITE + "/b/"]}},
        {**good, "created": "2026-12-01T08:30:00"},
        {k: v for k, v in good.items() if k != "@context"},
    ]
    for annotation in broken:
        assert failed_musts("annotation", annotation) != []


def test_anchored_passage_with_a_note_and_tags(client, analyst, passages, article):
    client.force_login(analyst)
    passage = passages["anchored"]
    annotation = json.loads(client.get(reverse("kb:api_passage", args=[passage.pk]),
                                       HTTP_ACCEPT="application/ld+json").content)
    section = article.sections.get(heading="与信スコア")
    assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert annotation["id"] == f"{SITE}/api/passages/{passage.pk}/"
    assert annotation["motivation"] == "tagging"
    tags = [b for b in annotation["body"] if b["purpose"] == "tagging"]
    assert tags == [{"type": "SpecificResource", "purpose": "tagging",
                     "source": SITE + t.get_absolute_url()} for t in passage.topics.order_by("name")]
    assert len(tags) == 2 and all("id" not in b for b in tags)
    assert {"type": "TextualBody", "purpose": "commenting", "value": "根拠\n二行目",
            "format": "text/plain"} in annotation["body"]
    target = annotation["target"]
    assert target["type"] == "SpecificResource"
    assert target["source"]["id"] == f"{SITE}/articles/credit/#{section.anchor}"
    assert target["source"]["language"] == "ja"
    quote, position = target["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": "電子商取引の拡大", "prefix": "",
                     "suffix": passage.suffix}
    assert position == {"type": "TextPositionSelector", "start": 0, "end": 8}
    assert annotation["creator"]["id"] == "acct:analyst@kb.example.org"
    assert annotation["creator"]["type"] == "Person"


def test_timestamps_are_utc_with_z(client, analyst, article, frozen_clock):
    passage = passage_services.create_passage(section=article.sections.first(), analyst=analyst,
                                              exact="電子商取引", topics=["与信"])
    client.force_login(analyst)
    [annotation] = _export(client)["first"]["items"]
    assert annotation["created"] == annotation["modified"] == "2026-11-30T23:30:00Z"
    assert annotation["id"].endswith(f"/api/passages/{passage.pk}/")


def test_fuzzy_passage_exports_selectors_that_agree(client, analyst, passages, article):
    client.force_login(analyst)
    passage = passages["fuzzy"]
    [annotation] = [a for a in _export(client)["first"]["items"]
                    if a["id"].endswith(f"/{passage.pk}/")]
    quote, position = annotation["target"]["selector"]
    text = article.sections.get(heading="与信スコア").plain_text
    assert quote["exact"] == text[position["start"]:position["end"]] != QUOTE
    assert text[:position["start"]].endswith(quote["prefix"])
    assert text[position["end"]:].startswith(quote["suffix"])


def test_orphans_target_their_article_at_the_last_known_section(client, analyst, passages):
    client.force_login(analyst)
    items = _by_id(_export(client)["first"]["items"])
    orphan = passages["orphan"]
    target = items[f"{SITE}/api/passages/{orphan.pk}/"]["target"]
    assert orphan.section_anchor  # kept when its section went
    assert target == {
        "type": "SpecificResource",
        "source": {"id": f"{SITE}/articles/credit/#{orphan.section_anchor}", "type": "Text",
                   "format": "text/html", "language": "ja"},
        "selector": [{"type": "TextQuoteSelector", "exact": "後で削除",
                      "prefix": orphan.prefix, "suffix": orphan.suffix}],
    }
    # The article is gone too: the passage's own URL is the one source left.
    gone = passages["gone"]
    target = items[f"{SITE}/api/passages/{gone.pk}/"]["target"]
    assert target["source"] == {"id": f"{SITE}/api/passages/{gone.pk}/"}
    assert [s["type"] for s in target["selector"]] == ["TextQuoteSelector"]


def test_ids_do_not_depend_on_the_host_name_that_served_the_export(client, analyst, passages):
    client.force_login(analyst)
    public = _export(client)
    internal = json.loads(client.get(reverse("kb:passages_jsonld"), HTTP_HOST="intranet.local").content)
    assert internal == public
    assert public["id"] == SITE + "/passages/views.jsonld"
    assert all(item["id"].startswith(SITE + "/api/passages/") for item in public["first"]["items"])
    single = client.get(reverse("kb:api_passage", args=[passages["anchored"].pk]),
                        HTTP_ACCEPT="application/ld+json", HTTP_HOST="intranet.local")
    assert json.loads(single.content)["id"] == f"{SITE}/api/passages/{passages['anchored'].pk}/"


def test_a_large_export_is_paged_and_every_page_passes(client, analyst, article, monkeypatch):
    monkeypatch.setattr(annotations, "PAGE_SIZE", 2)
    section = article.sections.get(heading="規制")
    for quote in ("当局", "規制", "強める", "方針", "だ"):
        passage_services.create_passage(section=section, analyst=analyst, exact=quote,
                                        topics=["規制"])
    client.force_login(analyst)
    collection = _export(client, topic="規制")
    base = SITE + "/passages/views.jsonld?topic=%E8%A6%8F%E5%88%B6"
    assert (collection["id"], collection["total"], collection["last"]) == (base, 5, base + "&page=3")
    assert failed_musts("collection", collection) == []
    first = collection["first"]
    assert (first["id"], first["next"], len(first["items"])) == (base + "&page=1", base + "&page=2", 2)
    seen = [item["id"] for item in first["items"]]
    for number in (2, 3):
        page = _export(client, topic="規制", page=number)
        assert failed_musts("page", page) == []
        assert (page["partOf"]["id"], page["partOf"]["total"], page["startIndex"], page["prev"]) == (
            base, 5, 2 * (number - 1), f"{base}&page={number - 1}")
        assert ("next" in page) == (number < 3)
        seen += [item["id"] for item in page["items"]]
    assert len(seen) == len(set(seen)) == Passage.objects.count() == 5


@pytest.mark.parametrize("page", ["0", "4", "x", "-1", "²", "１"])
def test_a_page_that_does_not_exist_is_a_clear_400(client, analyst, article, page):
    passage_services.create_passage(section=article.sections.first(), analyst=analyst,
                                    exact="電子商取引", topics=["与信"])
    client.force_login(analyst)
    response = client.get(reverse("kb:passages_jsonld"), {"page": page})
    assert response.status_code == 400
    assert f"これらのパッセージに {page} ページ目はありません。" == response.content.decode()
    response = client.get(reverse("kb:passages_jsonld"), {"page": page}, HTTP_ACCEPT_LANGUAGE="en")
    assert f"There is no page {page} of these passages." == response.content.decode()


def test_an_empty_export_is_a_valid_empty_collection(client, analyst):
    client.force_login(analyst)
    collection = _export(client)
    assert collection["total"] == 0 and "first" not in collection
    assert failed_musts("collection", collection) == []


def test_the_migration_gives_placed_passages_their_sections_anchor(passages):
    """Rows from before the field: placed ones take their section's anchor; an orphan's
    section is gone already, so its last place stays unknown (its article is the target)."""
    from importlib import import_module
    from pathlib import Path

    from django.apps import apps

    import kb.migrations

    # Found by name, not number: a migration's number changes when branches merge.
    name = next(Path(kb.migrations.__file__).parent.glob("*_annotations.py")).stem
    Passage.objects.update(section_anchor="")
    import_module(f"kb.migrations.{name}").fill_section_anchor(apps, None)
    anchors = dict(Passage.objects.values_list("pk", "section_anchor"))
    assert anchors[passages["anchored"].pk] == passages["anchored"].section.anchor
    assert anchors[passages["fuzzy"].pk] == passages["fuzzy"].section.anchor
    assert anchors[passages["orphan"].pk] == anchors[passages["gone"].pk] == ""
