from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from kb.editorial import services as editorial_services
from kb.editorial.corpus import read_articles, read_topics
from kb.library import services as library_services
from kb.library.models import Article


class Command(BaseCommand):
    help = (
        "Fill an empty database with a synthetic corpus for benchmarks: copies of the "
        "shipped reports' sections, through the services, with the shipped topics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--sections", type=int, default=20, help="sections per article")

    def handle(self, *args, articles: int, sections: int, **options):
        if Article.objects.exists():
            raise CommandError("bench_build fills an empty database; this one has articles.")
        library_services.create_missing_topics(read_topics())
        originals = read_articles()
        pool = [section for article in originals for section in article.sections]
        for i in range(articles):
            model = originals[i % len(originals)]
            editorial_services.create_article(data=editorial_services.ArticleData(
                title=f"{model.title}（{i + 1}）",
                slug=f"{model.slug}-{i + 1:04d}",
                kind=model.kind,
                publisher=model.publisher,
                authors=model.authors,
                published_on=model.published_on - timedelta(days=i) if model.published_on else None,
                summary=model.summary,
                sections=[
                    editorial_services.SectionData(heading=s.heading, body=s.body, topics=s.topics)
                    for s in (pool[(i * sections + j) % len(pool)] for j in range(sections))
                ],
            ))
            if (i + 1) % 100 == 0:
                self.stdout.write(f"  {i + 1} articles")
        self.stdout.write(f"Built {articles} articles, {articles * sections} sections.")
