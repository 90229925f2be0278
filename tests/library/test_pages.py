"""What readers see on the home, article and topic pages, and what those pages cost."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

import kb.migrations
from kb.library import selectors
from kb.models import Section, Topic
from kb.passages import services as passage_services


@pytest.fixture
def topics(db):
    return {
        slug: Topic.objects.create(slug=slug, name=name, name_en=en, description=desc)
        for slug, name, en, desc in [
            ("digital-silk-road", "デジタル一帯一路", "Digital Silk Road", "**一帯一路**のデジタル版。"),
            ("platformers", "プラットフォーマー", "Platformers", ""),
            ("sino-russian-tech", "中ロ技術協力", "Sino-Russian tech", ""),
        ]
    }


def test_article_page_shows_metadata_toc_sections_anchors_and_chips(client, topics, make_article):
    article = make_article(
        title="中国とロシアの同盟は難しい",
        publisher="FSI",
        authors=["渡部悦和"],
        sections=[
            ("大国間競争", "中ロの**パートナーシップ**は深化。", ["sino-russian-tech"]),
            ("ファーウェイ", "華為技術に対する制裁。", ["sino-russian-tech", "platformers"]),
        ],
    )
    first, second = article.sections.order_by("position")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>中国とロシアの同盟は難しい</h1>" in html
    assert "FSI" in html and "渡部悦和" in html and "コラム" in html
    assert f'<li><a href="#{first.anchor}">大国間競争</a></li>' in html
    assert f'id="{second.anchor}"' in html
    assert "中ロの<strong>パートナーシップ</strong>は深化。" in html
    assert html.index("中ロの") < html.index("華為技術")
    assert f'href="{topics["platformers"].get_absolute_url()}"' in html


def test_anchor_survives_heading_edit_and_reordering(client, topics, make_article):
    article = make_article(sections=[("一", "a", []), ("二", "b", [])])
    first, second = article.sections.order_by("position")
    anchor = first.anchor
    first.heading, first.position, second.position = "改題", 2, 1
    first.save()
    second.save()
    first.refresh_from_db()
    assert first.anchor == anchor
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<li><a href="#{anchor}">改題</a></li>' in html
    assert html.index(f'id="{second.anchor}"') < html.index(f'id="{anchor}"')


def test_related_articles_share_topics(client, topics, make_article):
    article = make_article(sections=[("s", "x", ["platformers", "digital-silk-road"])])
    close = make_article(title="近い記事", sections=[("s", "y", ["platformers", "digital-silk-road"])])
    far = make_article(title="遠い記事", sections=[("s", "z", ["platformers"])])
    unrelated = make_article(title="無関係", sections=[("s", "w", ["sino-russian-tech"])])
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("近い記事") < html.index("遠い記事")
    assert unrelated.title not in html
    assert close.title in html and far.title in html


def test_topic_page_lists_tagged_sections_grouped_by_article_with_links(client, topics, make_article):
    older = make_article(
        title="古い報告", published_on="2019-11-06",
        sections=[("一", "一帯一路の通信インフラ。", ["digital-silk-road"]), ("二", "無関係。", [])],
    )
    newer = make_article(
        title="新しい報告", published_on="2021-04-05",
        sections=[("三", "デジタル一帯一路とアリババ。", ["digital-silk-road", "platformers"])],
    )
    tagged = Section.objects.get(heading="一")
    html = client.get(topics["digital-silk-road"].get_absolute_url()).content.decode()
    assert "<strong>一帯一路</strong>のデジタル版。" in html
    assert f'href="{older.get_absolute_url()}#{tagged.anchor}"' in html
    assert "一帯一路の通信インフラ。" in html
    assert "無関係。" not in html
    # Articles ordered by date: the older one first in the article list.
    assert html.index(older.title) < html.index(newer.title)
    # Co-occurring topic with its count, linking to its page.
    assert f'href="{topics["platformers"].get_absolute_url()}"' in html


def test_topic_page_shows_one_page_of_sections_and_its_articles_with_their_counts(
    client, topics, make_article, monkeypatch
):
    monkeypatch.setattr(selectors, "TOPIC_SECTIONS_PER_PAGE", 3)
    older = make_article(title="古い報告", published_on="2019-11-06", sections=[
        (f"古{i}", f"古い本文{i}", ["platformers"]) for i in range(4)])
    newer = make_article(title="新しい報告", published_on="2021-04-05", sections=[
        (f"新{i}", f"新しい本文{i}", ["platformers"]) for i in range(3)] + [("無", "無関係", [])])
    url = topics["platformers"].get_absolute_url()
    pages = [client.get(url, {"page": n}).content.decode() for n in (1, 2, 3)]
    shown = [[h for h in ["古0", "古1", "古2", "古3", "新0", "新1", "新2"] if f">{h}</a>" in html]
             for html in [client.get(url).content.decode(), *pages]]
    assert shown == [["古0", "古1", "古2"], ["古0", "古1", "古2"], ["古3", "新0", "新1"], ["新2"]]
    for html in pages:
        # The article list on every page, each article with its count and a link to the
        # page where its sections start.
        assert "7 セクション" in html and "2 記事" in html
        assert f'href="{url}?page=1#in-{older.slug}">4 セクション</a>' in html
        assert f'href="{url}?page=2#in-{newer.slug}">3 セクション</a>' in html
        assert "無関係" not in html
    # Page 2 carries on the older article's group, then starts the newer one's.
    assert pages[1].index(f'id="in-{older.slug}"') < pages[1].index(f'id="in-{newer.slug}"')
    assert 'rel="next" href="?page=3#sections-heading"' in pages[1]
    assert 'rel="prev" href="?page=1#sections-heading"' in pages[1]
    assert 'rel="next"' not in pages[2] and 'rel="prev"' not in pages[0]
    for bad in ("4", "0", "-1", "x", "1.5"):
        assert client.get(url, {"page": bad}).status_code == 404


def test_topic_page_shows_the_first_articles_and_passages_and_links_to_all_of_them(
    client, topics, make_article, analyst, monkeypatch
):
    for name, value in [("TOPIC_ARTICLES_SHOWN", 2), ("TOPIC_ARTICLES_PER_PAGE", 2),
                        ("TOPIC_PASSAGES_SHOWN", 2), ("TOPIC_PASSAGES_PER_PAGE", 2),
                        ("TOPIC_SECTIONS_PER_PAGE", 2)]:
        monkeypatch.setattr(selectors, name, value)
    articles = [
        make_article(title=f"報告{n}", published_on=f"202{n}-01-01",
                     sections=[(f"節{n}{i}", f"本文{n}{i}の一文。", ["platformers"]) for i in range(2)])
        for n in range(3)
    ]
    for n, article in enumerate(articles):
        passage_services.create_passage(section=article.sections.first(), analyst=analyst,
                                exact=f"本文{n}0", topics=["platformers"])
    topic = topics["platformers"]
    html = client.get(topic.get_absolute_url()).content.decode()
    articles_part = html[html.index('id="articles-heading"'):html.index('id="passages-heading"')]
    assert "3 記事" in articles_part
    assert "報告0" in articles_part and "報告1" in articles_part and "報告2" not in articles_part
    all_articles = reverse("kb:topic_articles", args=[topic.slug])
    assert f'href="{all_articles}">全 3 記事を見る</a>' in articles_part
    passages_part = html[html.index('id="passages-heading"'):html.index('id="sections-heading"')]
    assert "パッセージ 3 件" in passages_part
    # Newest article first, as on the passage list.
    assert "本文20" in passages_part and "本文10" in passages_part and "本文00" not in passages_part
    all_passages = reverse("kb:topic_passages", args=[topic.slug])
    assert f'href="{all_passages}">パッセージ全 3 件を見る</a>' in passages_part

    # The article list, page by page, each article linking to where its sections start.
    first, second = (client.get(all_articles, {"page": n}).content.decode() for n in (1, 2))
    assert "報告0" in first and "報告1" in first and "報告2" not in first
    assert "報告2" in second and f'href="{topic.get_absolute_url()}?page=3#in-{articles[2].slug}"' in second
    assert 'rel="next" href="?page=2"' in first
    # The passage list, page by page, linking to each passage's place in its article.
    first, second = (client.get(all_passages, {"page": n}).content.decode() for n in (1, 2))
    passage = articles[0].passages.get()
    assert "本文20" in first and "本文00" not in first
    assert "本文00" in second and f'href="{passage.get_absolute_url()}"' in second
    for url in (all_articles, all_passages):
        assert client.get(url, {"page": 3}).status_code == 404
        assert client.get(url, {"page": "x"}).status_code == 404
    assert client.get(reverse("kb:topic_articles", args=["ない"])).status_code == 404


def test_see_also_links_both_ways(client, topics):
    topics["digital-silk-road"].see_also.add(topics["sino-russian-tech"])
    html = client.get(topics["sino-russian-tech"].get_absolute_url()).content.decode()
    assert f'href="{topics["digital-silk-road"].get_absolute_url()}"' in html


def test_japanese_topic_slug_and_url(client, make_article):
    make_article(sections=[("s", "データ", ["データ制度"])])
    topic = Topic.objects.get(name="データ制度")
    assert topic.slug == "データ制度"
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assert "データ制度" in response.content.decode()


def test_home_lists_topics_with_counts_and_recent_articles(client, topics, make_article):
    make_article(title="報告A", published_on="2020-06-30",
                 sections=[("s1", "x", ["platformers"]), ("s2", "y", ["platformers"])])
    make_article(title="報告B", published_on="2025-03-07", sections=[("s", "z", ["platformers"])])
    html = client.get(reverse("kb:home")).content.decode()
    assert "プラットフォーマー" in html
    assert "3 セクション · 2 記事" in html
    assert html.index("報告B") < html.index("報告A")


def test_unknown_article_and_topic_are_404(client, db):
    assert client.get(reverse("kb:article", args=["ない"])).status_code == 404
    assert client.get(reverse("kb:topic", args=["ない"])).status_code == 404


def test_edit_links_only_for_editors(client, editor, topics, make_article):
    article = make_article()
    edit_url = reverse("admin:kb_article_change", args=[article.pk])
    assert edit_url not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(editor)
    assert edit_url in client.get(article.get_absolute_url()).content.decode()


def _build(make_article, analyst, articles, sections_per_article):
    slugs = ["digital-silk-road", "platformers", "sino-russian-tech"]
    for i in range(articles):
        article = make_article(
            sections=[(f"s{j}", f"本文{j}の前半と後半", [slugs[j % 3], slugs[(i + j + 1) % 3]])
                      for j in range(sections_per_article)],
        )
        # Two overlapping passages per section, with tags, by an analyst.
        for j, section in enumerate(article.sections.all()):
            for quote in ("前半と", "と後半"):
                passage_services.create_passage(section=section, analyst=analyst, exact=quote,
                                        topics=[slugs[j % 3], slugs[i % 3]])


# Home: topics with counts, recent articles.
# Article: article + sections, their topics, their passages, the passages' topics
# (analysts joined in), related articles, wiki backlinks.
# Topic: topic, its articles' counts of tagged sections, the first articles, one page of
# tagged sections, their topics, see-also, co-occurring, the codebook outline (path and
# children), the first tagged passages (article,
# section and analyst joined in), their topics, how many passages, wiki backlinks, its
# sections per year (the timeline; its pictures' partners are the co-occurring). Pages of
# 2 sections (1 article, 1 passage): both corpora span several (the second is asked for).
# A topic's articles: topic, counts, one page of articles. Its passages: topic, count, one
# page of passages, their topics.
@pytest.mark.parametrize("size", [(2, 2), (8, 6)])
# Each count includes the page cache's look-up of the content generation (kb/cache.py).
@pytest.mark.parametrize("page,expected", [
    ("home", 3), ("article", 8), ("topic", 14), ("topic articles", 4), ("topic passages", 5),
])
def test_query_count_does_not_grow_with_the_corpus(
    client, topics, make_article, analyst, django_assert_num_queries, monkeypatch, size, page,
    expected,
):
    monkeypatch.setattr(selectors, "TOPIC_SECTIONS_PER_PAGE", 2)
    monkeypatch.setattr(selectors, "TOPIC_ARTICLES_PER_PAGE", 1)
    monkeypatch.setattr(selectors, "TOPIC_PASSAGES_PER_PAGE", 1)
    _build(make_article, analyst, *size)
    topics["platformers"].see_also.add(topics["digital-silk-road"])
    url = {
        "home": reverse("kb:home"),
        "article": Section.objects.first().article.get_absolute_url(),
        "topic": topics["platformers"].get_absolute_url() + "?page=2",
        "topic articles": reverse("kb:topic_articles", args=["platformers"]) + "?page=2",
        "topic passages": reverse("kb:topic_passages", args=["platformers"]) + "?page=2",
    }[page]
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


def test_page_titles_name_the_page_then_the_site(client, make_article):
    article = make_article(title="中ロのハイテク協力")
    assert "<title>ホーム — kb</title>" in client.get(reverse("kb:home")).content.decode()
    assert "<title>中ロのハイテク協力 — kb</title>" in client.get(
        article.get_absolute_url()).content.decode()


def test_missing_pages_get_the_site_layout_and_a_way_back(client, db):
    response = client.get("/articles/存在しない記事/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "ページが見つかりません" in html and f'href="{reverse("kb:topics")}"' in html


def test_topic_list_leaves_out_unused_free_tags(client, topics, make_article):
    make_article(sections=[("s", "本文", ["platformers"])])
    Topic.objects.create(slug="typo", name="テスト自由タグ")  # nothing carries it any more
    described = Topic.objects.create(slug="future", name="将来のトピック", description="説明。")
    html = client.get(reverse("kb:topics")).content.decode()
    assert "プラットフォーマー" in html and described.name in html
    assert "テスト自由タグ" not in html


def test_html_stored_before_the_class_whitelist_is_cleaned_by_the_migration(make_article):
    """Sections saved before content classes were whitelisted keep their text and lose
    every class but kb's own."""
    article = make_article(sections=[("s", "本文 [[ない記事]]", [])])
    old = ('<p><span class="passage status-anchored">偽</span>'
           '<span class="missing-link">ない記事</span></p>')
    Section.objects.filter(article=article).update(body_html=old)
    name = next(Path(kb.migrations.__file__).parent.glob("*_hostile.py")).stem
    importlib.import_module(f"kb.migrations.{name}").reclean_classes(apps, None)
    assert Section.objects.get(article=article).body_html == (
        '<p><span class="">偽</span><span class="missing-link">ない記事</span></p>')
