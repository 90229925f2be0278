"""The topic overview (co-occurrence map, timeline) and a topic page's pictures: right
counts, links, accessible names, well-formed SVG, fresh after a write, constant cost."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse

from kb.library import overview, pictures
from kb.models import Topic

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def tagged(db, make_article):
    """Three topics over three dated reports and one undated:
    α on 4 sections (2023: 1, 2024: 2, undated: 1), β on 3 (2023: 1, 2024: 1, undated: 1),
    γ on 1 (2026); α and β share 3 sections, α and γ none, β and γ none."""
    topics = {slug: Topic.objects.create(slug=slug, name=name)
              for slug, name in [("alpha", "アルファ"), ("beta", "ベータ"), ("gamma", "ガンマ")]}
    make_article(published_on=date(2023, 5, 1),
                 sections=[("a", "本文", ["alpha", "beta"]), ("b", "本文", [])])
    make_article(published_on=date(2024, 1, 1),
                 sections=[("a", "本文", ["alpha", "beta"]), ("b", "本文", ["alpha"])])
    make_article(sections=[("a", "本文", ["alpha", "beta"])])  # no date
    make_article(published_on=date(2026, 12, 31), sections=[("a", "本文", ["gamma"])])
    return topics


def _svgs(html: str) -> list[ET.Element]:
    """Every inline SVG of a page, parsed as XML (fails on markup that is not well-formed)."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def _svg(html: str, cls: str) -> ET.Element:
    (found,) = [svg for svg in _svgs(html) if cls in svg.get("class", "").split()]
    return found


def test_overview_counts_sections_pairs_and_years(tagged):
    data = overview.topic_overview()
    by_slug = {t.slug: t for t in data.topics}
    assert {slug: t.sections for slug, t in by_slug.items()} == {"alpha": 4, "beta": 3, "gamma": 1}
    a, b = sorted([by_slug["alpha"].pk, by_slug["beta"].pk])
    assert data.shared == {(a, b): 3}
    assert data.years == {by_slug["alpha"].pk: {2023: 1, 2024: 2},
                          by_slug["beta"].pk: {2023: 1, 2024: 1}, by_slug["gamma"].pk: {2026: 1}}
    # Every year from the first to the last, empty ones too, so gaps show.
    assert data.timeline.years == [2023, 2024, 2025, 2026]
    assert by_slug["alpha"].per_year == [1, 2, 0, 0]
    assert by_slug["alpha"].partners == [(by_slug["beta"], 3)]


def test_overview_is_linked_from_the_topic_index_and_every_node_links_to_its_topic(client, tagged):
    index = client.get(reverse("kb:topics")).content.decode()
    assert reverse("kb:topic_overview") in index
    html = client.get(reverse("kb:topic_overview")).content.decode()
    svg = _svg(html, "topic-map")
    links = svg.findall(f".//{SVG}a")
    assert sorted(a.get("href") for a in links) == sorted(t.get_absolute_url()
                                                          for t in tagged.values())
    for a in links:
        topic = next(t for t in tagged.values() if t.get_absolute_url() == a.get("href"))
        circle = a.find(f"{SVG}circle")
        assert circle.get("fill") == topic.colour
        # Named by its title (not an aria-label: its visible text is the name, shortened).
        assert topic.name in a.find(f"{SVG}title").text
    # One edge, α–β, named with its count.
    (edge,) = svg.findall(f".//{SVG}line")
    assert edge.find(f"{SVG}title").text == "アルファ と ベータ: 共有セクション 3"


def test_pictures_have_accessible_names_and_a_text_alternative(client, tagged):
    html = client.get(reverse("kb:topic_overview")).content.decode()
    for svg in _svgs(html):
        # A picture of links keeps the svg's own role (an image's would hide its links).
        assert svg.get("role") == ("img" if svg.find(f".//{SVG}a") is None else None)
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text
        assert svg.find(f"{SVG}desc").get("id") == desc_id and svg.find(f"{SVG}desc").text
    timeline = _svg(html, "topic-timeline")
    assert timeline.get("role") == "img"
    bars = timeline.findall(f".//{SVG}rect")
    assert len(bars) == 5  # α 2023, 2024; β 2023, 2024; γ 2026
    for bar in bars:
        assert bar.get("aria-label") == bar.find(f"{SVG}title").text
    assert "アルファ（2024年）: 2 セクション" in [bar.get("aria-label") for bar in bars]
    # The data table says in words what the pictures show.
    table = re.search(r'<table class="topic-numbers">.*?</table>', html, re.S).group(0)
    assert re.search(r"アルファ</span></a></th><td>4</td>", table)
    assert ">ベータ</span></a> (3)" in table


def test_topic_page_shows_its_timeline_and_strongest_partners(client, tagged):
    html = client.get(tagged["alpha"].get_absolute_url()).content.decode()
    timeline = _svg(html, "topic-timeline")
    assert [(r.get("aria-label")) for r in timeline.findall(f".//{SVG}rect")] == [
        "アルファ（2023年）: 1 セクション", "アルファ（2024年）: 2 セクション"]
    partners = _svg(html, "topic-partners")
    (link,) = partners.findall(f"{SVG}a")
    assert link.get("href") == tagged["beta"].get_absolute_url()
    # Named by its title, which says what the bar shows; its visible text is the name and
    # the count (an aria-label differing from the visible text fails axe's label rule).
    assert link.find(f"{SVG}title").text == "ベータ: 共有セクション 3"
    assert reverse("kb:topic_overview") in html


def test_topic_without_sections_has_no_pictures(client, tagged):
    lonely = Topic.objects.create(slug="lonely", name="孤独", description="説明")
    html = client.get(lonely.get_absolute_url()).content.decode()
    assert _svgs(html) == []


def test_empty_kb_says_nothing_is_tagged(client, db):
    response = client.get(reverse("kb:topic_overview"))
    assert response.status_code == 200 and "まだタグの付いたセクションはありません" in response.content.decode()


def test_overview_is_fresh_after_a_new_tagging(client, tagged):
    url = reverse("kb:topic_overview")
    before = _svg(client.get(url).content.decode(), "topic-map")
    assert len(before.findall(f".//{SVG}line")) == 1
    # Cached: the same page again, until something is written.
    assert client.get(url)["ETag"] == client.get(url)["ETag"]
    section = tagged["gamma"].tagged_sections.get().content_object
    section.topics.add(tagged["alpha"])
    after = _svg(client.get(url).content.decode(), "topic-map")
    titles = sorted(line.find(f"{SVG}title").text for line in after.findall(f".//{SVG}line"))
    assert titles == ["アルファ と ガンマ: 共有セクション 1", "アルファ と ベータ: 共有セクション 3"]


def test_layout_is_deterministic_and_in_codebook_order():
    nodes = [("a", "A", 4, "#112233"), ("b", "B", 1, "bad"), ("c", "C", 2, "#445566")]
    drawn = pictures.cooccurrence_map(nodes, {("a", "b"): 1, ("a", "c"): 3})
    assert drawn == pictures.cooccurrence_map(nodes, {("a", "c"): 3, ("a", "b"): 1})
    first, second, third = drawn.nodes
    assert (first.x, first.y) == (320.0, 150.0)  # the first at the top of the circle
    assert first.r > third.r > second.r
    assert second.colour == pictures.FALLBACK_COLOUR  # never an unchecked value in markup
    assert [e.shared for e in drawn.edges] == [1, 3]  # heaviest drawn last, on top
    assert drawn.edges[-1].width == pictures.EDGE_WIDTH[1]


def test_codebook_order_puts_subtopics_after_their_parent(tagged):
    tagged["gamma"].parent = tagged["alpha"]
    tagged["gamma"].save()
    assert [t.slug for t in overview.topic_overview().topics] == ["alpha", "gamma", "beta"]


def _corpus(make_article, articles):
    slugs = ["alpha", "beta", "gamma"]
    for i in range(articles):
        make_article(published_on=date(2020 + i % 4, 1, 1),
                     sections=[(f"s{j}", "本文", [slugs[j % 3], slugs[(i + j + 1) % 3]])
                               for j in range(3)])


# Overview: the content generation (page cache), the pairs, the codebook outline, the years.
# The topic page: as in test_pages plus its years (no passages here, so no query for their
# topics); its partners are the co-occurring topics the page reads already.
@pytest.mark.parametrize("articles", [2, 9])
@pytest.mark.parametrize("page,expected", [("overview", 4), ("topic", 13)])
def test_query_count_does_not_grow_with_the_corpus(
    client, tagged, make_article, django_assert_num_queries, articles, page, expected,
):
    _corpus(make_article, articles)
    url = {"overview": reverse("kb:topic_overview"),
           "topic": tagged["alpha"].get_absolute_url()}[page]
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    assert _svgs(response.content.decode())


def test_timeline_keeps_every_year_on_one_scale():
    drawn = pictures.timeline([("A", "#112233", {2020: 4, 2022: 2}), ("B", "#445566", {2021: 1})])
    assert drawn.years == [2020, 2021, 2022]
    a, b = drawn.rows
    assert [(bar.year, bar.count) for bar in a.bars] == [(2020, 4), (2022, 2)]
    assert a.bars[0].height == 2 * a.bars[1].height == 4 * b.bars[0].height
    assert a.bars[0].y + a.bars[0].height == a.baseline
    # A single year gives one bar of modest width, not one filling the plot.
    (alone,) = pictures.timeline([("A", "#112233", {2021: 3})]).rows[0].bars
    assert alone.width == pictures.MAX_BAR_WIDTH


def test_map_draws_only_the_strongest_edges(monkeypatch):
    monkeypatch.setattr(pictures, "MAP_EDGES", 2)
    nodes = [(k, k, 1, "#112233") for k in "abcd"]
    drawn = pictures.cooccurrence_map(nodes, {("a", "b"): 1, ("a", "c"): 5, ("b", "d"): 3,
                                              ("c", "d"): 1})
    assert [(e.a.item, e.b.item, e.shared) for e in drawn.edges] == [("b", "d", 3), ("a", "c", 5)]
