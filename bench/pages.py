"""Reader pages under load: gunicorn (2 sync workers, production settings) against wrk.

For each database (SQLite, PostgreSQL) and corpus size (the 5 shipped reports; a synthetic
1,000 articles / 20,000 sections), run /healthz, article pages and topic pages interleaved,
several rounds, and report medians: requests/s, p50/p99 latency, CPU per request (gunicorn's
processes), and each page's share of /healthz's requests/s in the same round. "article,
uncached" adds a unique query string to every request, so each one renders the page: the
cost of a page right after an edit. A bounded load test then runs article, topic and search pages
together and must see no error and no 5xx.

    .venv/bin/python bench/pages.py [--databases sqlite,postgres] [--sizes 5,1000]

Environment: BENCH_PG_URL (server for the PostgreSQL half, default
postgres://postgres@127.0.0.1:5432/kb_bench; one database per size gets a suffix),
BENCH_DURATION (s per run, 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
BENCH_LOAD_DURATION (60). Results also go to var/bench-pages.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = str(ROOT / "bench" / "wrk_paths.lua")
TICKS = os.sysconf("SC_CLK_TCK")

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
LOAD_DURATION = int(os.environ.get("BENCH_LOAD_DURATION", "60"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/kb_bench")
SAMPLE_ARTICLES = 200  # distinct article URLs cycled through at the large size
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


def urls(env: dict) -> dict[str, list[str]]:
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
    from urllib.parse import quote

    return {k: [quote(u, safe="/?=") for u in v] for k, v in found.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its children (gunicorn's master and workers)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def wrk(port: int, paths_file: str, duration: int, miss: bool = False) -> dict:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s",
            "-s", LUA, f"http://127.0.0.1:{port}", "--", paths_file]
    if miss:
        args.append("miss")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(re.search(r"^JSON(.*)$", out, re.M).group(1))


def run_target(server: subprocess.Popen, port: int, paths_file: str, duration: int,
               miss: bool = False) -> dict:
    cpu_before = process_tree_cpu(server.pid)
    result = wrk(port, paths_file, duration, miss)
    cpu = process_tree_cpu(server.pid) - cpu_before
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "cpu_ms_per_request": 1000 * cpu / max(1, result["requests"]),
        "requests": result["requests"],
        "errors": result["connect"] + result["read"] + result["write"] + result["timeout"],
        "non_2xx_3xx": result["status"],
        "kb_per_response": result["bytes"] / max(1, result["requests"]) / 1024,
    }


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [GUNICORN, "kb.wsgi", "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")


def bench(kind: str, size: int) -> dict:
    cache_dir = tempfile.mkdtemp(prefix="kb-bench-cache-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, for this run only
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url(kind, size),
        "CACHE_DIR": cache_dir,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    prepare(kind, size, env)
    manage(env, "collectstatic", "--noinput", "-v0")
    targets = urls(env)
    files = {}
    for name, paths in [("healthz", ["/healthz"]), *targets.items()]:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(paths) + "\n")
        files[name] = handle.name
    port = free_port()
    server = start_server(env, port)
    try:
        for path in targets["article"] + targets["topic"]:  # warm the page cache
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()
        runs: dict[str, list[dict]] = {"healthz": [], "article": [], "topic": [],
                                       "article, uncached": []}
        for round_ in range(ROUNDS):
            for name in ["healthz", "article", "topic", "article, uncached"]:
                source = files["article" if name.startswith("article") else name]
                runs[name].append(run_target(server, port, source, DURATION,
                                             miss=name == "article, uncached"))
            print(f"  round {round_ + 1}/{ROUNDS}: " + ", ".join(
                f"{n} {runs[n][-1]['rps']:.0f}/s" for n in runs), flush=True)
        with open(files["article"], "a") as mixed:
            mixed.write("\n".join(targets["topic"] + targets["topic lists"] + targets["search"]) + "\n")
        load = run_target(server, port, files["article"], LOAD_DURATION)
    finally:
        server.terminate()
        server.wait(timeout=30)
        for name in files.values():
            os.unlink(name)
    summary = {}
    for name, results in runs.items():
        summary[name] = {key: statistics.median(r[key] for r in results)
                         for key in ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request",
                                     "kb_per_response")}
        summary[name]["errors"] = sum(r["errors"] + r["non_2xx_3xx"] for r in results)
        summary[name]["share_of_healthz"] = statistics.median(
            r["rps"] / h["rps"] for r, h in zip(results, runs["healthz"], strict=True)
        )
    return {"database": kind, "articles": size, "pages": summary, "load": load,
            "distinct_urls": {k: len(v) for k, v in targets.items()}}


def report(results: list[dict]) -> None:
    print(f"\ngunicorn 2 sync workers, wrk -t2 -c{CONNECTIONS}, {ROUNDS} interleaved rounds "
          f"of {DURATION} s, medians. CPU = gunicorn master+workers per request.")
    print("| database | articles | page | req/s | share of /healthz | p50 ms | p99 ms "
          "| CPU ms/req | KB/resp | errors+5xx |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, s in r["pages"].items():
            print(f"| {r['database']} | {r['articles']} | {name} | {s['rps']:.0f} | "
                  f"{s['share_of_healthz']:.2f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | "
                  f"{s['cpu_ms_per_request']:.2f} | {s['kb_per_response']:.0f} | {s['errors']} |")
    print(f"\nLoad test: article, topic (and its article and passage lists) and search pages, "
          f"{LOAD_DURATION} s, {CONNECTIONS} connections.")
    print("| database | articles | requests | req/s | p50 ms | p99 ms | errors | non-2xx/3xx |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        load = r["load"]
        print(f"| {r['database']} | {r['articles']} | {load['requests']} | {load['rps']:.0f} | "
              f"{load['p50_ms']:.1f} | {load['p99_ms']:.1f} | {load['errors']} | "
              f"{load['non_2xx_3xx']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sizes", default="5,1000")
    options = parser.parse_args()
    results = []
    for kind in options.databases.split(","):
        for size in [int(s) for s in options.sizes.split(",")]:
            print(f"== {kind}, {size} articles", flush=True)
            results.append(bench(kind, size))
    report(results)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-pages.json").write_text(json.dumps(results, indent=1))
    failed = [r for r in results if r["load"]["errors"] or r["load"]["non_2xx_3xx"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
