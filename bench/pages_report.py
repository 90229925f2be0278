"""The page bench's tables: issue 15's goals as ratios within one run, then the raw numbers."""

from __future__ import annotations

import statistics

KEYS = ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request", "kb_per_response")
WHILE = ", while editing"


def _median_ratio(numerators: list[dict], denominators: list[dict]) -> float | None:
    """Median over rounds of a page's req/s over another's in the same round; None when the
    other got no answer in every round (an error, reported as such, not a division by zero)."""
    ratios = [n["rps"] / d["rps"] for n, d in zip(numerators, denominators, strict=True)
              if d["rps"] > 0]
    return statistics.median(ratios) if ratios else None


def summarise(results: dict[str, list[dict]]) -> dict:
    summary = {}
    for name, runs in results.items():
        s = {key: statistics.median(r[key] for r in runs) for key in KEYS}
        s["errors"] = sum(r["errors"] + r["non_2xx_3xx"] for r in runs)
        s["problems"] = sorted({r["error"] for r in runs if r["error"]})
        s["settle_max_s"] = max((r["settle_s"] or 0) for r in runs)
        s["share_of_healthz"] = _median_ratio(runs, results["healthz"])
        if name.endswith(WHILE):
            s["share_of_no_edits"] = _median_ratio(runs, results[name[: -len(WHILE)]])
        summary[name] = s
    return summary


def _ratio(value: float | None, goal: float | None, label: str) -> tuple[str, str]:
    if value is None and "not measured" in label:
        return "n/a", "not measured"
    if value is None:
        return "n/a", "error: no answers to compare with (see problems)"
    shown = f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"
    if goal is None:
        return shown, "(information)"
    return shown, "met" if value >= goal else "NOT met"


def goals(r: dict) -> list[tuple[str, str, float | None, float | None]]:
    p, first = r["pages"], r["first_views"]
    edits = r["edits"]
    saves, failures = sum(e["saves"] for e in edits), sum(e["failures"] for e in edits)
    save_ms = [e["save_p50_ms"] for e in edits if e["save_p50_ms"] is not None]
    seconds = sum(e.get("seconds", 0) for e in edits)
    rows = [
        ("1", "analyst's article page / /healthz", p["article, analyst"]["share_of_healthz"], 0.25),
        ("1", "analyst's topic page / /healthz", p["topic, analyst"]["share_of_healthz"], 0.25),
        ("1", "analyst's /search/?q=中国 / /healthz", p["search 中国, analyst"]["share_of_healthz"], 0.25),
        ("2", "anonymous article page: while editing / without",
         p["article, anonymous" + WHILE]["share_of_no_edits"], 0.8),
        ("2", "anonymous topic page: while editing / without",
         p["topic, anonymous" + WHILE]["share_of_no_edits"], 0.8),
        ("2", "the edited article's own page: while editing / without",
         p["edited article, anonymous" + WHILE]["share_of_no_edits"], None),
        ("2", f"editor's admin saves: {saves} saved, {failures} failed in {seconds:.0f} s "
              f"(median save {statistics.median(save_ms) if save_ms else 0:.0f} ms; one "
              "starts a second after the last began, or when it ends if it took longer)",
         None, None),
        ("3", "anonymous article page (cached) / /healthz", p["article, anonymous"]["share_of_healthz"], 0.5),
        ("3", "anonymous topic page (cached) / /healthz", p["topic, anonymous"]["share_of_healthz"], 0.5),
    ]
    fresh = f"{first['fresh']}/{first['views']} showed their edit"
    if first["wagtail_p50_ms"] and first["kb_p50_ms"]:
        rows.append(("3", f"first view after an edit: Wagtail's p50 {first['wagtail_p50_ms']:.0f} ms / "
                          f"kb's {first['kb_p50_ms']:.0f} ms ({fresh})",
                     first["wagtail_p50_ms"] / first["kb_p50_ms"], 2.0))
    else:
        kb = f"{first['kb_p50_ms']:.0f} ms" if first["kb_p50_ms"] else "none"
        rows.append(("3", f"first view after an edit (kb's p50 {kb}, {fresh}) vs Wagtail: "
                          "not measured", None, 2.0))
    if "Wagtail article" in p and p["Wagtail article"]["rps"]:
        rows.append(("3", "article with a unique query string / Wagtail's article, req/s",
                     p["article, unique query string"]["rps"] / p["Wagtail article"]["rps"], None))
    return rows


def report(results: list[dict], *, duration: int, rounds: int, load_duration: int,
           connections: int) -> None:
    print("\ngunicorn 2 sync workers against wrk -t2, interleaved rounds, medians of each round's "
          "ratio; the server idle before every run. First view: one request at a time, each right "
          "after its own admin save of the article, Wagtail's page requested right after it.")
    for r in results:
        f, load = r["fixture"], r["load_average"]
        print(f"\n### {r['database']}, {r['articles']} articles, {r['cache']} cache "
              f"(load average {' '.join(f'{x:.2f}' for x in load['before'])} before, "
              f"{' '.join(f'{x:.2f}' for x in load['after'])} after)")
        settings = r.get("settings") or {"duration": duration, "rounds": rounds,
                                         "connections": connections, "first_views": "?"}
        print("runs of {duration} s, {rounds} rounds, {connections} connections; "
              "{first_views} first views".format(**settings))
        print(f"article {f['article']} ({f['sections']} sections, {f['passages']} passages); "
              f"topic {f['topic']}; edited article {f['edited']}"
              + (f" (named on the read {' and '.join(f['edited_named_on'])})" if f["edited_named_on"] else ""))
        print("| goal | measure | value | target | |\n|---|---|---|---|---|")
        for number, label, value, target in goals(r):
            if value is None and target is None:
                print(f"| {number} | {label} | | | |")
                continue
            shown, verdict = _ratio(value, target, label)
            print(f"| {number} | {label} | {shown} | {'≥ ' + str(target) if target else ''} | {verdict} |")
        for e in r["edits"]:
            for error in e["errors"]:
                print(f"  editor: {error}")
        for error in r["first_views"].get("save_errors", []):
            print(f"  first views, admin save: {error}")
    print("\n| database | cache | articles | page | req/s | share of /healthz | p50 ms | p99 ms "
          "| CPU ms/req | KB/resp | errors+non-2xx | problems |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for name, s in r["pages"].items():
            share = "n/a" if s["share_of_healthz"] is None else f"{s['share_of_healthz']:.3f}"
            problems = "; ".join(s["problems"])
            if s["settle_max_s"] > 1:
                problems += f" (took up to {s['settle_max_s']:.0f} s to work off wrk's queue)"
            print(f"| {r['database']} | {r['cache']} | {r['articles']} | {name} | {s['rps']:.1f} | "
                  f"{share} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | "
                  f"{s['cpu_ms_per_request']:.2f} | {s['kb_per_response']:.0f} | {s['errors']} | "
                  f"{problems} |")
    query_counts(results)
    print(f"\nLoad test: article, topic (and its article and passage lists) and search pages, "
          f"{load_duration} s, {connections} connections.")
    print("| database | cache | articles | requests | req/s | p50 ms | p99 ms | errors | non-2xx/3xx |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        load = r["load"]
        print(f"| {r['database']} | {r['cache']} | {r['articles']} | {load['requests']} | "
              f"{load['rps']:.0f} | {load['p50_ms']:.1f} | {load['p99_ms']:.1f} | "
              f"{load['errors']} | {load['non_2xx_3xx']} |{' ' + load['error'] if load['error'] else ''}")


def query_counts(results: list[dict]) -> None:
    """Each page's SQL queries at every corpus size, side by side (goal: the same)."""
    sizes = sorted({r["articles"] for r in results})
    print("\nSQL queries per request (second request of each; 'no cache': every cache a dummy)")
    print(f"| database | cache | page | viewer | {' | '.join(f'{s} articles' for s in sizes)} | constant |")
    print(f"|---|---|---|---|{'---|' * len(sizes)}---|")
    groups: dict[tuple, dict] = {}
    for r in results:
        for page, views in r["queries"].items():
            for viewer, count in views.items():
                groups.setdefault((r["database"], r["cache"], page, viewer), {})[r["articles"]] = count
    for (database, cache, page, viewer), counts in groups.items():
        shown = [str(counts.get(s, "")) for s in sizes]
        constant = ("" if len(counts) < 2  # one size tells nothing
                    else "yes" if len(set(counts.values())) == 1 else "NO")
        print(f"| {database} | {cache} | {page} | {viewer} | {' | '.join(shown)} | {constant} |")
