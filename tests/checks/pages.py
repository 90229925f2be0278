"""The pages every checker visits (HTML checker, axe-core, a 390-px screen), and the data
that fills them: the shipped corpus, an editor's passages (one needing repair) and a second
revision to compare.

To check a new page, add a line to ``PAGES``: a name, who may see it ("anyone" or "editor"),
and a function of the scene that returns its path.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.editorial.corpus import load_corpus, read_articles
from kb.library.models import Article, Topic
from kb.passages import services as passage_services

BODY = "電子商取引の拡大。𠮷野家のアリババは与信スコアの算出にeCreditalのデータを使う。規制は強まる。"


@dataclass
class Scene:
    article: Article
    topic: Topic
    first_version: Version


def build_scene(editor) -> Scene:
    load_corpus()
    topic = Topic.objects.order_by("slug").first()
    data = editorial_services.ArticleData(
        title="与信の報告", slug="credit-report", kind="column",
        sections=[editorial_services.SectionData("与信スコア", BODY, [topic.slug])])
    article = editorial_services.create_article(data=data, user=editor)
    section = article.sections.get()
    for quote in ("与信スコアの算出にeCreditalのデータを使う", "規制は強まる"):
        passage_services.create_passage(section=section, analyst=editor, exact=quote,
                                        topics=[topic.name], note="根拠")
    # The editor rewrites the section: one passage needs repair, and there is a revision
    # to compare with.
    data.sections[0] = editorial_services.SectionData(
        "与信スコア", BODY.replace("使う", "活用する"), [topic.slug], anchor=section.anchor)
    editorial_services.update_article(article=article, loaded_version=1, data=data, user=editor)
    first = Version.objects.get_for_object(article).order_by("pk").first()
    return Scene(article=article, topic=topic, first_version=first)


def _article(slug: str) -> str:
    return reverse("kb:article", args=[slug])


PAGES: list[tuple[str, str, object]] = [
    ("home", "anyone", lambda s: reverse("kb:home")),
    ("topics", "anyone", lambda s: reverse("kb:topics")),
    ("topic", "anyone", lambda s: s.topic.get_absolute_url()),
    *[(f"article {data.slug}", "anyone", lambda s, slug=data.slug: _article(slug))
      for data in read_articles()],
    ("article with passages", "anyone", lambda s: s.article.get_absolute_url()),
    ("search", "anyone", lambda s: reverse("kb:search") + "?q=アリババ"),
    ("history", "anyone", lambda s: reverse("kb:article_history", args=[s.article.slug])),
    ("compare", "anyone", lambda s: reverse("kb:article_compare", args=[s.article.slug])
     + f"?from={s.first_version.pk}"),
    ("articles", "anyone", lambda s: reverse("kb:articles")),
    ("changes", "anyone", lambda s: reverse("kb:changes")),
    ("topic overview", "anyone", lambda s: reverse("kb:topic_overview")),
    ("topic matrix", "anyone", lambda s: reverse("kb:topic_matrix")),
    ("my passages", "editor", lambda s: reverse("kb:my_passages")),
    ("repair list", "editor", lambda s: reverse("kb:passages_repair")),
    ("inbox", "editor", lambda s: reverse("kb:inbox")),
    ("watched", "editor", lambda s: reverse("kb:watched")),
    ("passage cite", "editor", lambda s: reverse(
        "kb:passage_cite", args=[s.article.passages.order_by("pk").first().pk])),
    ("section edit", "editor", lambda s: reverse(
        "kb:section_edit", args=[s.article.slug, s.article.sections.get().pk])),
]


# Django's admin, kb's titles in it: checked on a phone's width only (its markup is Django's).
ADMIN_PAGES: list[tuple[str, str, object]] = [
    ("admin articles", "editor", lambda s: reverse("admin:kb_article_changelist")),
    ("admin article", "editor", lambda s: reverse("admin:kb_article_change", args=[s.article.pk])),
    ("admin article history", "editor",
     lambda s: reverse("admin:kb_article_history", args=[s.article.pk])),
    ("admin passages", "editor", lambda s: reverse("admin:kb_passage_changelist")),
]


def paths(scene: Scene, *, logged_in: bool, admin: bool = False) -> list[tuple[str, str]]:
    """(name, path) of the pages a visitor sees: everyone's, and the editor's when logged in
    (with the admin's too if ``admin``)."""
    return [(name, page(scene)) for name, who, page in [*PAGES, *(ADMIN_PAGES if admin else [])]
            if who == "anyone" or logged_in]
