"""``bench_search --papers DIR``: rank quality and latency on white-paper-style reports.

The reports (written by bench/papers.py, with the judgements of which sections are about
which query) are imported once with ``import_report``, the bulk import editors run, and
measured right after it, with no manual step between. It prints:

- MRR: for each judged query, 1 / the rank of the first section about it on the first page
  (0 when none is there);
- recall through paging: for each subject, the share of the sections containing it (a
  substring of the normalised text) that paging through every result page reaches, and
  whether the total the page states is that number;
- latency per query class, p50 and p95, wall clock and this process's CPU time (on a
  loaded machine the wall clock mostly measures waiting for a core; the CPU time does not,
  but leaves out PostgreSQL's server).
"""

from __future__ import annotations

import io
import json
import re
import statistics
import time
from pathlib import Path

from django.core.management import call_command

from kb.library.models import Article, Section, Topic
from kb.search.engine import SectionHit, search
from kb.search.tokenise import normalise

_TITLE = re.compile(r"第(\d+)章.*（(\d{4})年）")
GOALS = {"mrr": 0.95, "recall": 1.0, "p95_ms": 50}


def run(command, folder: Path, *, runs: int, rebuild: bool) -> None:
    out = command.stdout.write
    judgements = json.loads((folder / "judgements.json").read_text(encoding="utf-8"))
    files = sorted(folder.glob("*.md"))
    if rebuild or Article.objects.filter(title__contains="白書").count() != len(files):
        Article.objects.all().delete()
        Topic.objects.all().delete()
        call_command("load_corpus", verbosity=0)  # the real topics, with their aliases,
        Article.objects.all().delete()  # not the shipped reports: they are not judged
        started = time.perf_counter()
        call_command("import_report", *map(str, files), stdout=io.StringIO())
        out(f"bulk import: {len(files)} files in {time.perf_counter() - started:.0f} s; "
            "measured right after it")
    files_of = {pk: f"{m[2]}-{int(m[1]):02d}.md" for pk, title in
                Article.objects.values_list("pk", "title") if (m := _TITLE.search(title))}
    out(f"\n== {Section.objects.count()} sections, {len(files_of)} white-paper chapters")
    ranks, timings = {}, {"one subject": [], "two words": []}
    cpu: dict[str, list[float]] = {label: [] for label in timings}
    for query, judged in judgements["queries"].items():
        about = {tuple(pair) for pair in judged["about"]}
        results = search(query)
        first = next((i for i, hit in enumerate(results.hits, 1) if isinstance(hit, SectionHit)
                      and (files_of.get(hit.section.article_id), hit.section.heading) in about), None)
        ranks[query] = first
        label = "one subject" if query == judged["subject"] else "two words"
        for _ in range(runs):
            started, used = time.perf_counter(), time.process_time()
            search(query)
            timings[label].append((time.perf_counter() - started) * 1000)
            cpu[label].append((time.process_time() - used) * 1000)
    mrr = statistics.mean(1 / r if r else 0 for r in ranks.values())
    out(f"MRR@20 over {len(ranks)} judged queries: {mrr:.3f}  (goal ≥ {GOALS['mrr']})")
    out("  first relevant rank: " + ", ".join(f"{q} {r or '-'}" for q, r in ranks.items()))
    _recall(out, [q for q, j in judgements["queries"].items() if q == j["subject"]])
    out(f"{'query class':<14} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8}"
        f"  (goal p95 ≤ {GOALS['p95_ms']} ms)")
    for label, times in timings.items():
        out(f"{label:<14} {_percentile(times, 50):>8.1f} {_percentile(times, 95):>8.1f} "
            f"{_percentile(cpu[label], 50):>8.1f} {_percentile(cpu[label], 95):>8.1f}")


def _percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return statistics.median(ordered) if p == 50 else ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _contains(term: str):
    """Where search finds ``term``: anywhere in Japanese text; a Latin or digit word, as a
    whole word (5G in ローカル5G, not AI in MAIL)."""
    term = normalise(term)
    if re.search(r"[a-z0-9]", term):
        return re.compile(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])").search
    return lambda text: term in text


def _recall(out, terms: list[str]) -> None:
    texts = [(pk, normalise(f"{heading}\n{text}")) for pk, heading, text in
             Section.objects.values_list("pk", "heading", "plain_text").iterator()]
    worst = 1.0
    for term in terms:
        found_in = _contains(term)
        truth = {pk for pk, text in texts if found_in(text)}
        reached, page, stated = set(), 1, None
        while True:
            results = search(term, page=page)
            stated = results.total if stated is None else stated
            found = {hit.section.pk for hit in results.hits if isinstance(hit, SectionHit)}
            if not found or results.page.number != page:
                break
            reached |= found
            page += 1
        share = len(reached & truth) / len(truth) if truth else 1.0
        worst = min(worst, share)
        # A term that is a topic's label also finds its other labels: more than the truth.
        exact = ("exact" if stated == len(truth) else "≥ truth" if stated > len(truth) else
                 f"states only {stated}") + (", labelled 'more than'" if results.capped else "")
        out(f"  recall {term}: {len(reached & truth)}/{len(truth)} = {share:.3f}, total {exact}")
    out(f"recall through paging, worst: {worst:.3f}  (goal = {GOALS['recall']})")
