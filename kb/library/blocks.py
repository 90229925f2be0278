"""The blocks of reader pages that look the same to every reader with the same permissions,
rendered once and then taken from the fragment cache (kb.site.fragments) under a digest of
what they show: each section of an article with its topic chips, and the table of contents.

A block's key holds everything its template reads, so an edit of the section, a renamed or
recoloured topic, another language or another permission finds no block and renders a new
one. What differs from reader to reader (watch button, the reader's passages and their
controls, CSRF tokens) stays outside the blocks and is rendered on each request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from kb.library.overview import TopicPictures
from kb.library.selectors import ArticlePage, TopicPage
from kb.site import fragments


def _chips(topics) -> list[tuple[str, str, str]]:
    return [(t.slug, t.name, t.name_en) for t in topics]


def article_sections(request: HttpRequest, page: ArticlePage) -> list[SafeString]:
    """Each section of the article page as HTML, in order."""
    article = page.article
    can_edit = request.user.has_perm("kb.change_article")
    # Read by the section template besides the section: links to the article, the language
    # of its text, whether its original is a PDF (page links) and the edit link.
    around = [article.slug, article.language, bool(page.original and page.original.is_pdf),
              can_edit]
    by_pk = {section.pk: section for section in page.sections}
    inputs = {s.pk: [around, s.anchor, s.heading, s.level, s.body_html, s.page_start,
                     s.page_breaks, _chips(s.topics)] for s in page.sections}

    def render(pks) -> dict[int, str]:
        template = get_template("includes/article_section.html")
        return {pk: str(template.render({"section": by_pk[pk], "article": article, "page": page},
                                        request)) for pk in pks}

    found = fragments.cached_many("article-section", inputs, render)
    return [mark_safe(found[section.pk]) for section in page.sections]


def article_toc(request: HttpRequest, page: ArticlePage) -> SafeString:
    """The article's table of contents."""
    inputs = [(s.anchor, s.heading, s.level) for s in page.sections]
    html = fragments.cached("article-toc", inputs, lambda: str(
        get_template("includes/article_toc.html").render({"page": page}, request)))
    return mark_safe(html)


def topic_sections(request: HttpRequest, page: TopicPage) -> SafeString:
    """The topic page's list of tagged sections (one page of it, with its pagination)."""
    sections_page = page.sections_page
    inputs = [page.topic.slug, sections_page.number, sections_page.paginator.count,
              [(s.pk, s.anchor, s.heading, s.plain_text, s.article.pk, s.article.slug,
                s.article.title, s.article.language, _chips(s.topics)) for s in page.sections]]
    html = fragments.cached("topic-sections", inputs, lambda: str(
        get_template("includes/topic_sections.html").render({"page": page}, request)))
    return mark_safe(html)


def article_parts(request: HttpRequest, page: ArticlePage) -> dict[str, SafeString]:
    """The article page's head (meta tags, citation data), the top of its header (title,
    metadata, source) and the rest of the header (history link, summary, topics, Cite box):
    everything around the reader's own controls (watch, edit)."""
    article, original = page.article, page.original
    inputs = [
        # Every column of the article, its original, its topics, the first section (the
        # description when there is no summary), and this site's address (absolute URLs).
        [getattr(article, field.attname) for field in type(article)._meta.concrete_fields],
        original and [original.filename, original.content_type],
        _chips(page.topics),
        page.sections[0].body_html if page.sections else None,
        request.build_absolute_uri("/"),
    ]
    names = ("head", "top", "rest")

    def render(wanted) -> dict[str, str]:
        return {name: str(get_template(f"includes/article_parts_{name}.html").render(
            {"page": page}, request)) for name in wanted}

    found = fragments.cached_many("article-parts", {name: [name, inputs] for name in names},
                                  render)
    return {name: mark_safe(found[name]) for name in names}


def _passage(passage) -> list:
    article, section = passage.source_article, passage.section
    return [passage.pk, passage.status, passage.exact, passage.note,
            article and [article.slug, article.title, article.language],
            section and [section.anchor, section.heading],
            passage.analyst.get_full_name(), passage.analyst.get_username(),
            passage.created_at, _chips(passage.topics.all())]


def topic_parts(request: HttpRequest, page: TopicPage, pictures: TopicPictures) -> dict[str, SafeString]:
    """The topic page's pictures, its first articles and its first passages."""
    topic = page.topic
    about = [topic.slug, topic.name, topic.name_en, topic.colour]
    inputs = {
        "pictures": [about, sorted(pictures.years.items()),
                     [(t.slug, t.name, t.name_en, t.colour, t.shared_sections)
                      for t in pictures.partners]],
        "articles": [about, [(a.pk, a.slug, a.title, a.language, a.kind, a.published_on,
                              a.first_page, a.tagged_sections) for a in page.articles]],
        # The passages' dates are shown in the site's time zone.
        "passages": [about, page.passage_count, settings.TIME_ZONE,
                     [_passage(p) for p in page.passages]],
    }

    def render(names) -> dict[str, str]:
        context = {"page": page, "pictures": pictures}
        return {name: str(get_template(f"includes/topic_parts_{name}.html").render(
            context, request)) for name in names}

    found = fragments.cached_many("topic-parts", inputs, render)
    return {name: mark_safe(html) for name, html in found.items()}
