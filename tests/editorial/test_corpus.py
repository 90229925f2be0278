"""The shipped corpus, loaded as `make run` loads it."""

import pytest

from kb.editorial import services as editorial_services
from kb.editorial.corpus import FIXTURES_DIR, load_corpus
from kb.library import services as library_services
from kb.models import Article, Section, Topic, TopicAlias
from kb.passages import services as passage_services
from tests.corpus_text import missing_sentences
from tests.editorial.corpus_fixtures import ARTICLES

CORE_TOPICS = ["digital-silk-road", "platformers", "sino-russian-tech", "data-institutions",
               "ai-regulation"]


def test_all_five_reports_load_with_metadata(corpus):
    assert sorted(corpus.articles_created) == sorted(a["slug"] for a in ARTICLES.values())
    assert set(Article.objects.values_list("kind", flat=True)) == {
        "book_review", "transcript", "press_release", "slide_deck", "column"}
    deck = Article.objects.get(kind="slide_deck")
    assert (deck.publisher, deck.authors, deck.published_on.isoformat()) == (
        "株式会社野村総合研究所", "李智慧", "2021-04-05")
    column = Article.objects.get(kind="column")
    assert (column.authors, column.published_on.isoformat()) == ("渡部悦和", "2019-11-06")
    for article in Article.objects.all():
        assert article.title and article.summary_html
        assert article.sections.count() >= 5


def test_loading_again_duplicates_nothing(corpus):
    counts = (Article.objects.count(), Section.objects.count(), Topic.objects.count())
    report = load_corpus()
    assert report.articles_created == [] and report.topics_created == 0
    assert (Article.objects.count(), Section.objects.count(), Topic.objects.count()) == counts


def test_core_topics_have_both_labels_a_description_and_sections(corpus):
    for slug in CORE_TOPICS:
        topic = Topic.objects.with_counts().get(slug=slug)
        assert topic.name and topic.name_en and topic.description_html
        assert topic.section_count > 0, slug
    assert all(s.topics.exists() for s in Section.objects.prefetch_related("topics"))


@pytest.mark.parametrize("fixture", sorted(ARTICLES.values(), key=lambda a: a["slug"]),
                         ids=lambda a: a["slug"])
def test_article_holds_every_sentence_of_its_source(client, corpus, fixture):
    """Modulo clean-up (joined wraps, radicals, layout) every sentence of the original
    extraction is in the article's text as a reader sees it on the page."""
    article = Article.objects.get(slug=fixture["slug"])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    text = "\n".join(f"{s.heading}\n{s.plain_text}" for s in article.sections.all())
    for section in article.sections.all():
        assert section.body_html in response.content.decode()
    source = (FIXTURES_DIR / "sources" / fixture["source_file"]).read_text(encoding="utf-8")
    assert missing_sentences(source, text) == []


def test_loading_again_after_a_topic_rename_keeps_the_rename(corpus):
    """`make run` after an editor renamed a shipped topic (name and slug) starts, and does
    not bring the old topic back beside the renamed one."""
    topic = Topic.objects.get(slug="ai-regulation")
    library_services.rename_topic(topic=topic, name="AIガバナンス・規制", slug="ai-governance")
    counts = (Topic.objects.count(), TopicAlias.objects.count())
    report = load_corpus()
    assert report.topics_created == 0
    assert not Topic.objects.filter(slug="ai-regulation").exists()
    assert (Topic.objects.count(), TopicAlias.objects.count()) == counts
    assert Topic.objects.get(slug="ai-governance").name == "AIガバナンス・規制"


def test_loading_again_after_a_topic_merge_keeps_the_merge(corpus):
    library_services.merge_topics(source=Topic.objects.get(slug="ai-regulation"),
                          target=Topic.objects.get(slug="artificial-intelligence"))
    counts = (Topic.objects.count(), TopicAlias.objects.count())
    assert load_corpus().topics_created == 0
    assert not Topic.objects.filter(slug="ai-regulation").exists()
    assert (Topic.objects.count(), TopicAlias.objects.count()) == counts


def test_loading_again_keeps_edited_articles_and_does_not_resurrect_deleted_ones(corpus):
    slugs = sorted(corpus.articles_created)
    edited = Article.objects.get(slug=slugs[0])
    data = editorial_services.ArticleData(
        title="編集後の題名", slug="edited-slug", kind=edited.kind,
        sections=[editorial_services.SectionData(heading="一", body="編集後の本文。")],
    )
    editorial_services.update_article(article=edited, loaded_version=edited.version, data=data, user=None)
    passage_services.delete_article(article=Article.objects.get(slug=slugs[1]))
    count = Article.objects.count()

    report = load_corpus()
    assert report.articles_created == []
    assert Article.objects.count() == count
    assert not Article.objects.filter(slug__in=slugs[:2]).exists()
    edited = Article.objects.get(slug="edited-slug")
    assert edited.title == "編集後の題名"
    assert [s.body for s in edited.sections.all()] == ["編集後の本文。"]
