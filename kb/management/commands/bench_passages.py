"""Speed of the passage features, measured inside a transaction that is rolled back."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kb.editorial import services as editorial_services
from kb.editorial.corpus import read_articles
from kb.passages import anchoring
from kb.passages import services as passage_services

SENTENCE_POOL_ARTICLES = 5


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _summary(times: list[float]) -> str:
    times = sorted(times)
    return f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms"


class Command(BaseCommand):
    help = "Measure re-anchoring and the article page with many passages (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--chars", type=int, default=10_000, help="section length")
        parser.add_argument("--passages", type=int, default=200, help="passages on the section")
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, chars: int, passages: int, repeat: int, **options):
        corpus = "".join(s.body for a in read_articles()[:SENTENCE_POOL_ARTICLES] for s in a.sections)
        text = (corpus * (chars // max(1, len(corpus)) + 1))[:chars]
        out = self.stdout.write
        out(f"Section of {len(text)} characters, {passages} passages, {repeat} runs each.")

        quote = text[chars // 2 : chars // 2 + 120]
        sel = anchoring.select(text, chars // 2, chars // 2 + 120)
        edited = text[: chars // 2] + quote.replace(quote[40:44], "改訂") + text[chars // 2 + 120 :]
        out("reanchor, exact in place:   " + _summary(_timed(lambda: anchoring.reanchor(text, sel), repeat)))
        out("reanchor, fuzzy (120 chars): " + _summary(_timed(lambda: anchoring.reanchor(edited, sel), repeat)))
        gone = text[: chars // 2] + text[chars // 2 + 120 :]
        out("reanchor, orphan (full scan): " + _summary(_timed(lambda: anchoring.reanchor(gone, sel), repeat)))

        with transaction.atomic():
            analyst = get_user_model().objects.create_user("bench-analyst")
            article = editorial_services.create_article(data=editorial_services.ArticleData(
                title="bench", slug="bench-passages", kind="other",
                sections=[editorial_services.SectionData(heading="s", body=text)],
            ))
            section = article.sections.get()
            plain = section.plain_text
            step = max(1, (len(plain) - 60) // passages)
            for i in range(passages):
                start = i * step
                passage_services.create_passage(section=section, analyst=analyst, exact=plain[start : start + 40],
                                        start=start, topics=[f"bench-{i % 7}"])
            bodies = iter(range(10**6))

            def edit():
                section.body = f"追記{next(bodies)}。" + section.body
                passage_services.save_section(section=section)

            out(f"save_section re-anchoring {passages} passages: " + _summary(_timed(edit, repeat)))
            client = Client(HTTP_HOST="127.0.0.1")
            url = article.get_absolute_url()
            reset_queries()  # each request resets the log; capture from an empty one
            with CaptureQueriesContext(connection) as queries:
                page = client.get(url).content.decode()
            assert page.count('"start16"') == passages, "the page lacks passages"
            times = _timed(lambda: client.get(url), repeat)
            out(f"article page with {passages} passages ({len(queries)} queries): " + _summary(times))
            transaction.set_rollback(True)
