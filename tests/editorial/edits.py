"""Edits made the way an editor makes them, for the tests of what readers see of edits."""

from kb.editorial import services as editorial_services


def retitle_and_append(article, user, title):
    return editorial_services.update_article(
        article=article, loaded_version=article.version, user=user,
        data=editorial_services.ArticleData(
            title=title, slug=article.slug, kind=article.kind,
            sections=[editorial_services.SectionData(heading=s.heading, body=s.body + "追記。",
                                                     topics=[t.slug for t in s.topics.all()],
                                                     anchor=s.anchor)
                      for s in article.sections.order_by("position")]))
