"""/sitemap.xml (django.contrib.sitemaps): every article and topic with when it last
changed, and the list pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from kb.library.models import Article, Topic


class ArticleSitemap(Sitemap):
    def items(self):
        return Article.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Article):
        return item.updated_at


class TopicSitemap(Sitemap):
    def items(self):
        return Topic.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item: Topic):
        return item.updated_at


class ListSitemap(Sitemap):
    """The pages that lead to everything else."""

    def items(self) -> list[str]:
        return ["kb:home", "kb:articles", "kb:topics", "kb:changes"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"lists": ListSitemap, "articles": ArticleSitemap, "topics": TopicSitemap}
