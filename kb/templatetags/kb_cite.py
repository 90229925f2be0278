"""The article page's citation data (meta tags, alternates, the Cite box), read in the
template so the page's view and selector stay as they are. Reads only, no queries: all
of it comes from the article already loaded."""

from django import template

from kb.exchange import citations

register = template.Library()


@register.simple_tag(takes_context=True)
def article_citation(context, article) -> dict:
    request = context["request"]
    item = citations.csl_item(article, url=request.build_absolute_uri(article.get_absolute_url()))
    return {
        "item": item,
        "references": citations.references(item),
        "formats": [("json", citations.CSL_JSON, "CSL-JSON"), ("bib", citations.BIBTEX, "BibTeX"),
                    ("ris", citations.RIS, "RIS")],
    }
