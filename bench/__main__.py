"""The benchmark: `make bench` or `python -m bench [--sizes 1000,100000,1000000] [--lighthouse]`.

For each size a PostgreSQL database `microwish_bench_<size>` is seeded with seed_demo (kept for
the next run; --reseed starts it again), the app is served by gunicorn (2 sync workers) in
production settings beside a bare baseline view, and wrk loads every page as the person who
opens it; then SQL queries per page, the claim storm and, with --lighthouse, Lighthouse scores.
The targets of issue #12 are judged at the end. Everything is printed and written to
bench/results/<date>-<commit>.md and .json.

Needs PostgreSQL (BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432), wrk (Debian's
package), and for --lighthouse Node with npm and Chromium (CHROME_PATH, default
/usr/bin/chromium). The databases it names are dropped and rebuilt: never point it at real data.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import psycopg2

from bench.size import TARGETED

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")

# Issue #12's targets.
LIST_AND_DETAIL = set(TARGETED)  # each the middle of three runs
SIGNED_IN_FLOOR = "bare view, signed in"
MIN_RATIO = 0.5  # of the baseline's throughput, at 100,000 wishes
MAX_GROWTH = 1.2  # p50 at the largest size over p50 at the smallest
MAX_LIST_QUERIES = 8
MIN_STORM_RATIO = 0.2
SEED_GOALS = {100_000: (60, None), 1_000_000: (600, 1024)}  # seconds, MB
LIGHTHOUSE_GOAL = 95


def database(size: int) -> str:
    return f"microwish_bench_{size}"


def seeded(size: int, reseed: bool) -> bool:
    """True if the size's database holds its wishes already; else it is (re)created empty."""
    admin = psycopg2.connect(f"{POSTGRES}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database(size)])
        exists = cursor.fetchone() is not None
        if exists and not reseed:
            try:
                with psycopg2.connect(f"{POSTGRES}/{database(size)}") as db, db.cursor() as c:
                    c.execute("SELECT count(*) FROM wishes_wish")
                    # seed_demo makes size - 400 and its stories and year about 390 more.
                    if c.fetchone()[0] >= size * 0.99:
                        return True
            except psycopg2.Error:
                pass
        cursor.execute(f'DROP DATABASE IF EXISTS "{database(size)}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database(size)}"')
    admin.close()
    return False


def run_size(size: int, args) -> dict:
    command = [sys.executable, "-m", "bench.size", str(size), f"--seconds={args.seconds}"]
    command.append(f"--connections={args.connections}")
    if not seeded(size, args.reseed):
        command.append("--seed")
    if args.lighthouse:
        command.append("--lighthouse")
    environment = {**os.environ, "DATABASE_URL": f"{POSTGRES}/{database(size)}"}
    if os.environ.get("REDIS_URL") is None:
        environment["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    result = None
    for line in process.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
        else:
            print(line, end="", flush=True)
    if process.wait() or result is None:
        raise SystemExit(f"the run at {size:,} wishes failed")
    return result


def machine() -> dict:
    def output(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if "MemT" in line
        ),
        "0",
    )
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "cpus": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "python": platform.python_version(),
        "postgres": output("psql", "--version"),
        "wrk": output("wrk", "-v").splitlines()[0] if output("wrk", "-v") else "?",
    }


# ----- the report -------------------------------------------------------------------------


def middle(page: dict) -> str:
    """The three runs of a page measured three times, beside the middle one's ratio."""
    if "ratios" not in page:
        return ""
    return " (of " + " / ".join(f"{ratio}" for ratio in page["ratios"]) + ")"


def report(runs: list[dict], info: dict) -> list[str]:
    lines = [
        f"# 微心愿 benchmark, {info['date']} (commit {info['commit']})",
        "",
        f"{info['cpus']} cores ({info['cpu']}), {info['memory_gb']} GB; Python {info['python']}; "
        f"{info['postgres']}; {info['wrk']}. gunicorn 2 sync workers, DEBUG=0, "
        "Redis cache and sessions; wrk 2 threads, 8 connections.",
    ]
    for run in runs:
        base = run["baseline"]
        lines += ["", f"## {run['wishes']:,} wishes (seed_demo size {run['size']:,})", ""]
        if seed := run.get("seed"):
            lines.append(
                f"seed_demo: {seed['seconds']} s, peak memory {seed['peak_mb']} MB "
                f"({seed['volunteers']:,} volunteers, {seed['residents']:,} residents generated)"
            )
            lines.append("")
        lines += [
            "× baseline: the page's req/s over the bare view's, measured just before and just "
            "after the page (their mean is the baseline column), as the host's speed drifts. "
            "The pages with a throughput target (list and detail) are measured three times and "
            "show the middle run, the three ratios beside it.",
            "",
            "| page | who | req/s | baseline req/s | × baseline | p50 ms | p95 ms | p99 ms "
            "| SQL queries |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| baseline (bare view) | anonymous | {base['rps']} | | 1 | {base['p50_ms']} | "
            f"{base['p95_ms']} | {base['p99_ms']} | 0 |",
        ]
        for page in run["pages"]:
            lines.append(
                f"| {page['name']} `{page['path']}` | {page['who']} | {page['rps']} | "
                f"{page.get('baseline_rps', base['rps'])} | {page['ratio']}{middle(page)} | "
                f"{page['p50_ms']} | {page['p95_ms']} | {page['p99_ms']} | {page['queries']} |"
            )
        if "cold_report_ms" in run:
            lines += [
                "",
                f"The public city-wide report (`/stats/`, 累计) computed afresh, as the first "
                f"reader after any change to a wish waits for it: {run['cold_report_ms']} ms.",
            ]
        if storm := run.get("storm"):
            lines += [
                "",
                f"Claim storm: {storm['volunteers']} volunteers at once, {storm['requests']} "
                f"claims on {storm['wishes']} fresh wishes: {storm['wins']} won, "
                f"{storm['conflicts_409']} told 409, other {storm['other'] or 'none'}; "
                f"{storm['rps']} claims/s (×{storm_ratio(run):.3f} the baseline's "
                f"{storm.get('baseline_rps', base['rps'])} req/s beside it), "
                f"p50 {storm.get('p50_ms', '?')} ms, p95 {storm['p95_ms']} ms; "
                f"{storm['wishes_claimed']} wishes claimed"
                + (
                    f"; the middle by ratio of {storm['storms']} storms "
                    f"({', '.join(f'×{r:.3f}' for r in storm['ratios'])}), "
                    f"{storm['double_claims']} double claims in all of them and in one run "
                    "before them, not counted."
                    if storm.get("storms", 1) > 1
                    else f", {storm['double_claims']} double claims."
                ),
            ]
        if scores := run.get("lighthouse"):
            lines += ["", "| Lighthouse (mobile) | perf | a11y | best practices | SEO |"]
            lines.append("|---|---:|---:|---:|---:|")
            for name, score in scores.items():
                if "error" in score:
                    lines.append(f"| {name} | error: {score['error']} | | | |")
                else:
                    lines.append(
                        f"| {name} | {score['performance']} | {score['accessibility']} | "
                        f"{score['best-practices']} | {score['seo']} |"
                    )
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines += [
            "",
            f"## Growth: p50 at {last['wishes']:,} ÷ p50 at {first['wishes']:,} wishes",
            "",
            "The machine's own speed drifts between runs (other tenants on the host): the "
            "last column divides by the bare view's own growth, measured beside each page.",
            "",
            f"| page | {first['wishes']:,} | {last['wishes']:,} | ratio | ÷ baseline's ratio |",
            "|---|---:|---:|---:|---:|",
        ]
        drift = drift_of(first, last)
        for a, b in zip(first["pages"], last["pages"], strict=True):
            ratio = b["p50_ms"] / a["p50_ms"]
            lines.append(
                f"| {a['name']} | {a['p50_ms']} ms | {b['p50_ms']} ms | "
                f"×{ratio:.2f} | ×{ratio / page_drift(a, b, drift):.2f} |"
            )
    return [*lines, "", "## Targets", "", *verdicts(runs)]


def drift_of(first: dict, last: dict) -> float:
    """How much slower the bare view itself answered in the last run than in the first."""
    return last["baseline"]["p50_ms"] / first["baseline"]["p50_ms"]


def page_drift(a: dict, b: dict, run_drift: float) -> float:
    """The bare view's own growth beside this page (measured just before and after it in
    each run), else the runs' drift."""
    if "baseline_p50_ms" in a and "baseline_p50_ms" in b:
        return b["baseline_p50_ms"] / a["baseline_p50_ms"]
    return run_drift


def storm_ratio(run: dict) -> float:
    storm = run["storm"]
    return storm.get("ratio", storm["rps"] / run["baseline"]["rps"])


def verdicts(runs: list[dict]) -> list[str]:
    def line(ok: bool, text: str) -> str:
        return f"- {'MET ' if ok else 'NOT MET'} {text}"

    lines = []
    at_100k = next((r for r in runs if r["size"] == 100_000), None)
    if at_100k:
        worst = min(
            (p for p in at_100k["pages"] if p["name"] in LIST_AND_DETAIL), key=lambda p: p["ratio"]
        )
        lines.append(
            line(
                worst["ratio"] >= MIN_RATIO,
                f"list and detail ≥ {MIN_RATIO}× the baseline at 100,000 wishes "
                f"(lowest: {worst['name']}, ×{worst['ratio']})",
            )
        )
        floor = next((p for p in at_100k["pages"] if p["name"] == SIGNED_IN_FLOOR), None)
        if floor:
            lines.append(
                f"  - the bare view itself, signed in, is at ×{floor['ratio']}: that is the "
                f"floor under every signed-in page; {worst['name']} is at "
                f"×{worst['ratio'] / floor['ratio']:.2f} of it"
            )
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        drifts = (("", None), (", the baseline's drift taken out", drift_of(first, last)))
        for label, drift in drifts:
            growth = [
                (b["p50_ms"] / a["p50_ms"] / (page_drift(a, b, drift) if drift else 1), a["name"])
                for a, b in zip(first["pages"], last["pages"], strict=True)
            ]
            worst_growth, name = max(growth)
            over = [n for g, n in growth if g > MAX_GROWTH]
            lines.append(
                line(
                    worst_growth <= MAX_GROWTH,
                    f"every page at {last['wishes']:,} within {MAX_GROWTH}× its p50 at "
                    f"{first['wishes']:,}{label} ({len(over)} of {len(growth)} pages over: "
                    f"{', '.join(over) or 'none'}; worst {name}, ×{worst_growth:.2f})",
                )
            )
    if len(runs) > 1 and "cold_report_ms" in runs[0] and "cold_report_ms" in runs[-1]:
        first, last = runs[0], runs[-1]
        growth = last["cold_report_ms"] / first["cold_report_ms"]
        lines.append(
            line(
                growth <= MAX_GROWTH,
                f"statistics computed afresh at {last['wishes']:,} within {MAX_GROWTH}× of "
                f"{first['wishes']:,}: {first['cold_report_ms']} ms → {last['cold_report_ms']} "
                f"ms (×{growth:.1f}; the pages above read them from the cache)",
            )
        )
    most = max(p["queries"] for r in runs for p in r["pages"] if p["name"].startswith("list"))
    lines.append(
        line(
            most <= MAX_LIST_QUERIES,
            f"≤ {MAX_LIST_QUERIES} SQL queries on list pages (most: {most})",
        )
    )
    for run in runs:
        if storm := run.get("storm"):
            ratio = storm_ratio(run)
            lines.append(
                line(
                    storm["double_claims"] == 0 and ratio >= MIN_STORM_RATIO,
                    f"claim storm at {run['wishes']:,}: {storm['double_claims']} double claims, "
                    f"claims at ×{ratio:.3f} the baseline (goal ≥ {MIN_STORM_RATIO})",
                )
            )
        if (seed := run.get("seed")) and run["size"] in SEED_GOALS:
            seconds, megabytes = SEED_GOALS[run["size"]]
            ok = seed["seconds"] < seconds and (megabytes is None or seed["peak_mb"] < megabytes)
            goal = f"< {seconds} s" + (f" and {megabytes} MB" if megabytes else "")
            lines.append(
                line(
                    ok,
                    f"seed_demo at {run['size']:,}: {seed['seconds']} s, {seed['peak_mb']} MB "
                    f"(goal {goal})",
                )
            )
        if scores := run.get("lighthouse"):
            low = [
                f"{name} {key} {value}"
                for name, score in scores.items()
                for key, value in score.items()
                if key != "error" and value < LIGHTHOUSE_GOAL
            ] + [f"{name} failed" for name, score in scores.items() if "error" in score]
            lines.append(
                line(
                    not low,
                    f"Lighthouse ≥ {LIGHTHOUSE_GOAL} in every category at "
                    f"{run['wishes']:,}" + (f" (below: {', '.join(low)})" if low else ""),
                )
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's run per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--lighthouse", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    info = machine()
    runs = [run_size(size, args) for size in sizes]
    lines = report(runs, info)
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    sizes_label = "-".join(
        f"{size // 1000}k" if size < 10**6 else f"{size // 10**6}m" for size in sizes
    )
    stem = RESULTS / f"{info['date'][:10]}-{info['commit']}-{sizes_label}"
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stem.with_suffix(".json").write_text(
        json.dumps({"machine": info, "runs": runs}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    print(f"\nwritten: {stem}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
