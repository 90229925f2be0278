"""Reader and writer pages under load: gunicorn (2 sync workers, production settings) and wrk.

For each database (SQLite, PostgreSQL), corpus size (the 5 shipped reports; a synthetic 1,000
articles of 20 sections) and page cache (the file cache in var/ by default; Redis, a private
redis-server on a free port, with --caches file,redis), one run measures, against issue 15's
goals, each as a ratio within the run:

1. a logged-in analyst's article page (the corpus's largest article, with passages made by
   bench/pages_setup.py through kb's passage service), topic page and /search/?q=中国, as a
   share of /healthz's requests/s (goal 0.25);
2. anonymous article and topic pages while an editor (bench/site_client.py, a separate
   process) saves another article through the admin change form once a second, as a share
   of the same pages without edits (goal 0.8); the edited article's own page, which the
   edits do change, is reported beside them;
3. cached anonymous pages as a share of /healthz (goal 0.5); the first view of the largest
   article after an edit (each view follows its own admin save, and must show it) against
   Wagtail's article page of the same text (goal 2x: Wagtail's median latency over kb's,
   one request at a time, the two interleaved).

Pages run in interleaved rounds (medians reported); the server is idle before every run.
Each page's SQL queries are counted at both sizes. A bounded load test then runs article,
topic and search pages together and must see no error and no 5xx.

    .venv/bin/python bench/pages.py [--databases sqlite,postgres] [--sizes 5,1000]
                                    [--caches file,redis] [--no-wagtail]

Environment: BENCH_PG_URL (server and database prefix of the PostgreSQL half, default
postgres://postgres@127.0.0.1:5432/kb_bench; one database per size gets a suffix),
BENCH_DURATION (s per run, 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_FIRST_VIEWS
(12), BENCH_LOAD_DURATION (60). Wagtail is installed once into var/wagtail-venv (not kb's
venv). Results also go to var/bench-pages.json (--output); --report FILE... prints the tables
of several such files together (runs of one database at different times, say).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages_report  # noqa: E402
from pages_servers import (  # noqa: E402
    CONNECTIONS,
    GUNICORN,
    PY,
    ROOT,
    Server,
    private_redis,
    wagtail_python,
)
from site_client import Browser  # noqa: E402

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
FIRST_VIEWS = int(os.environ.get("BENCH_FIRST_VIEWS", "12"))
LOAD_DURATION = int(os.environ.get("BENCH_LOAD_DURATION", "60"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/kb_bench")
SAMPLE_ARTICLES = 200  # distinct article URLs of the load test at the large size
SEARCH = "/search/?q=" + quote("中国")
# Searches in the load test (anonymous: cached after their first request, as in production).
SEARCH_QUERIES = ["中国", "規制", "党", "デジタル一帯一路", "アント・グループ", "生成AI 規制", '"信用 スコア"',
                  "ＡＩ", "量子暗号"]


def database_url(kind: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench-{size}.sqlite3'}"
    return f"{PG_URL}_{size}"


def manage(env: dict, *args: str, capture: bool = False) -> str:
    if args[0] == "shell":
        args = (*args, "--no-imports")
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=capture, text=True)
    return result.stdout if capture else ""


def script(env: dict, *args: str, stdin: str | None = None) -> dict:
    result = subprocess.run([PY, str(ROOT / "bench" / "pages_setup.py"), *args], cwd=ROOT,
                            env=env, input=stdin, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"bench/pages_setup.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare(kind: str, size: int, env: dict) -> None:
    """Migrate and fill the bench database once; later runs reuse it."""
    if kind == "postgres":
        import psycopg

        base, name = env["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                # A UTF-8 ctype: with "C", PostgreSQL treats Japanese text as non-letters.
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 '
                             "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    (ROOT / "var").mkdir(exist_ok=True)
    manage(env, "migrate", "--noinput", "-v0")
    count = int(manage(env, "shell", "-c",
                       "from kb.models import Article; print(Article.objects.count())",
                       capture=True).strip())
    if count == 0:
        print(f"  building the {size}-article corpus in {kind} (once)...", flush=True)
        if size == 5:
            manage(env, "load_corpus")
        else:
            manage(env, "bench_build", "--articles", str(size), "--sections", "20")
    elif count < size:
        raise SystemExit(f"{env['DATABASE_URL']} holds {count} articles, not {size}: its build "
                         "was interrupted or is under way. Drop it to have it rebuilt.")


def sample_urls(env: dict) -> dict[str, list[str]]:
    code = (
        "import json; from kb.models import Article, Topic; "
        f"print(json.dumps({{'article': [a.get_absolute_url() for a in "
        f"Article.objects.order_by('?')[:{SAMPLE_ARTICLES}]], "
        "'topic': [t.get_absolute_url() for t in Topic.objects.filter("
        "tagged_sections__isnull=False).distinct()]}))"
    )
    found = json.loads(manage(env, "shell", "-c", code, capture=True))
    found["topic lists"] = [f"{topic}{part}/" for topic in found["topic"] for part in ("articles", "passages")]
    found["search"] = [f"/search/?q={query}" for query in SEARCH_QUERIES]
    return {k: [quote(u, safe="/?=") for u in v] for k, v in found.items()}


def paths_file(paths: list[str]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    return handle.name


def get(port: int, path: str, timeout: float = 120) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def choose_edited(fixture: dict, port: int) -> dict:
    """The topic page to read and the article to edit: one that lacks the topic and, if any
    does, that neither read page names (at 5 articles the largest names every other one
    among its related articles: then the least named, and the report says so)."""
    article = get(port, fixture["article"])
    best = None
    for pair in fixture["pairs"]:
        topic = get(port, quote(pair["topic"]))
        for candidate in pair["candidates"]:
            named = [name for name, page in (("topic page", topic), ("article page", article))
                     if quote(candidate["url"], safe="/") in page or candidate["url"] in page]
            if best is None or len(named) < len(best[2]):
                best = (pair["topic"], candidate, named)
            if not named:
                break
        if best and not best[2]:
            break
    if best is None:
        raise SystemExit("no article lacks any of the biggest topics: nothing to edit")
    topic, candidate, named = best
    return {**candidate, "topic": topic, "named_on": named}


class Editor:
    """bench/site_client.py saving an article through the admin once a second, in its own process."""

    def __init__(self, port: int, fixture: dict, change_url: str, password: str):
        self.process = subprocess.Popen(
            [PY, str(ROOT / "bench" / "site_client.py"), str(port), fixture["editor"], password,
             change_url, "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the editor could not log in")

    def stop(self) -> dict:
        self.process.stdin.close()
        line = self.process.stdout.readline()
        self.process.wait(timeout=60)
        if not line:
            return {"saves": 0, "failures": 0, "save_p50_ms": None,
                    "errors": [f"the editor process died (exit {self.process.returncode})"]}
        return json.loads(line)


def first_views(port: int, fixture: dict, editor: Browser, wagtail: tuple | None) -> dict:
    """Each view of the largest article right after its own admin save, beside Wagtail's page.

    A unique query string would not do: a page cache may ignore unknown parameters, and a
    fragment cache keyed by what the page shows would still hold the unchanged parts. After a
    real save, every cache that honours the edit must miss; the view must show the edit.
    """
    kb_ms, wagtail_ms, fresh, failed, why_failed = [], [], 0, 0, []
    for _ in range(FIRST_VIEWS):
        marker = f"bench first view {secrets.token_hex(6)}"
        try:  # a save gunicorn's worker timeout cut off is a failed save, not a failed bench
            ok, why = editor.save_article(fixture["article_change"], marker)
        except (OSError, RuntimeError) as error:
            ok, why = False, f"{type(error).__name__}: {error}"
        if not ok:
            failed += 1
            why_failed.append(why)
            continue
        try:
            started = time.perf_counter()
            status, _, page = Browser(port).request("GET", quote(fixture["article"]))  # no cookies
            kb_ms.append(1000 * (time.perf_counter() - started))
            fresh += status == 200 and marker in page
            if wagtail:
                wagtail_port, wagtail_path = wagtail
                started = time.perf_counter()
                get(wagtail_port, wagtail_path)
                wagtail_ms.append(1000 * (time.perf_counter() - started))
        except OSError as error:
            why_failed.append(f"the view after the save failed: {error}")
    return {"views": len(kb_ms), "fresh": fresh, "failed_saves": failed,
            "save_errors": why_failed[:3],
            "kb_p50_ms": statistics.median(kb_ms) if kb_ms else None,
            "wagtail_p50_ms": statistics.median(wagtail_ms) if wagtail_ms else None}


def bench(kind: str, size: int, cache: str, use_wagtail: bool) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, for this run only
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url(kind, size),
        "CACHE_DIR": tempfile.mkdtemp(prefix="kb-bench-cache-"),
        "LOG_LEVEL": "WARNING",
        "BENCH_PASSWORD": secrets.token_urlsafe(16),
    }
    env.pop("REDIS_URL", None)  # never a Redis the bench did not start: it may be shared
    load_before = os.getloadavg()
    prepare(kind, size, env)
    manage(env, "collectstatic", "--noinput", "-v0")
    fixture = script(env, "fixture")
    samples = sample_urls(env)
    with private_redis(cache == "redis") as redis_url:
        if redis_url:
            env["REDIS_URL"] = redis_url
        wagtail = None
        if use_wagtail and (python := wagtail_python()):
            wagtail = Server.wagtail(python, f"{kind}-{size}", fixture["text"])
        server = Server([GUNICORN, "kb.wsgi"], env)
        try:
            return measure(kind, size, cache, env, fixture, samples, server, wagtail,
                           load_before)
        finally:
            server.stop()
            if wagtail:
                wagtail.stop()


def measure(kind, size, cache, env, fixture, samples, server, wagtail, load_before) -> dict:
    port = server.port
    edited = choose_edited(fixture, port)
    editor = Browser(port)
    editor.log_in(fixture["editor"], env["BENCH_PASSWORD"])
    cookie = Browser(port).log_in(fixture["analyst"], env["BENCH_PASSWORD"])
    article, topic = quote(fixture["article"]), quote(edited["topic"])
    affected = quote(edited["url"])
    for path in (article, topic, affected):
        get(port, path)  # in the page cache, as a read page is
    queries = script(env, "queries", stdin=json.dumps(
        {"article": fixture["article"], "topic": edited["topic"], "search 中国": SEARCH}))
    # name: (server, paths, wrk options); run in this order in every round.
    runs = {
        "healthz": ("kb", ["/healthz"], {}),
        "article, anonymous": ("kb", [article], {}),
        "topic, anonymous": ("kb", [topic], {}),
        "edited article, anonymous": ("kb", [affected], {}),
        "article, analyst": ("kb", [article], {"cookie": cookie}),
        "topic, analyst": ("kb", [topic], {"cookie": cookie}),
        "search 中国, analyst": ("kb", [SEARCH], {"cookie": cookie}),
        "article, unique query string": ("kb", [article], {"miss": True}),
    }
    if wagtail:
        runs["Wagtail article"] = ("wagtail", [wagtail.path], {})
    during_edits = ["article, anonymous", "topic, anonymous", "edited article, anonymous"]
    files = {name: paths_file(paths) for name, (_, paths, _) in runs.items()}
    results: dict[str, list[dict]] = {name: [] for name in runs}
    results.update({f"{name}, while editing": [] for name in during_edits})
    edits = []
    servers = {"kb": server, "wagtail": wagtail}
    try:
        for round_ in range(ROUNDS):
            for name, (which, _, options) in runs.items():
                results[name].append(servers[which].run(files[name], DURATION, **options))
            writer = Editor(port, fixture, edited["change"], env["BENCH_PASSWORD"])
            try:
                for name in during_edits:
                    results[f"{name}, while editing"].append(
                        server.run(files[name], DURATION))
            finally:
                edits.append(writer.stop())
            print(f"  round {round_ + 1}/{ROUNDS}: " + ", ".join(
                f"{n} {r[-1]['rps']:.0f}/s" for n, r in results.items()), flush=True)
        firsts = first_views(port, fixture, editor, (wagtail.port, wagtail.path) if wagtail else None)
        mixed = paths_file(samples["article"] + samples["topic"] + samples["topic lists"]
                           + samples["search"])
        load = server.run(mixed, LOAD_DURATION)
        os.unlink(mixed)
    finally:
        for name in files.values():
            os.unlink(name)
    return {
        "database": kind, "articles": size, "cache": cache,
        "pages": pages_report.summarise(results), "edits": edits, "first_views": firsts,
        "queries": queries, "load": load, "wagtail": bool(wagtail),
        "fixture": {"article": fixture["article"], "sections": fixture["article_sections"],
                    "passages": fixture["passages"], "topic": edited["topic"],
                    "edited": edited["url"], "edited_named_on": edited["named_on"]},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "settings": {"duration": DURATION, "rounds": ROUNDS, "connections": CONNECTIONS,
                     "first_views": FIRST_VIEWS, "load_duration": LOAD_DURATION},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sizes", default="5,1000")
    parser.add_argument("--caches", default="file")
    parser.add_argument("--no-wagtail", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "bench-pages.json")
    parser.add_argument("--report", type=Path, nargs="+", metavar="JSON",
                        help="measure nothing: print the tables of earlier runs' --output files")
    options = parser.parse_args()
    if options.report:
        earlier = [r for path in options.report for r in json.loads(path.read_text())]
        pages_report.report(earlier, duration=DURATION, rounds=ROUNDS,
                            load_duration=LOAD_DURATION, connections=CONNECTIONS)
        return 0
    results, missing = [], []
    for kind in options.databases.split(","):
        for cache in options.caches.split(","):
            for size in [int(s) for s in options.sizes.split(",")]:
                print(f"== {kind}, {size} articles, {cache} cache", flush=True)
                try:
                    results.append(bench(kind, size, cache, not options.no_wagtail))
                except SystemExit as stopped:  # one setup's failure must not lose the others
                    print(f"  not measured: {stopped}", flush=True)
                    missing.append(f"{kind}, {size} articles, {cache} cache: {stopped}")
    pages_report.report(results, duration=DURATION, rounds=ROUNDS, load_duration=LOAD_DURATION,
                        connections=CONNECTIONS)
    for line in missing:
        print(f"NOT MEASURED: {line}")
    options.output.parent.mkdir(exist_ok=True)
    options.output.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    failed = [r for r in results if r["load"]["errors"] or r["load"]["non_2xx_3xx"]]
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
