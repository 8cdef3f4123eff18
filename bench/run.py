"""The benchmark of issue 6, one command: crawl cost against bare Scrapy at several sizes,
extraction against trafilatura, re-extraction of an archive, an incremental re-crawl.
Prints a table and writes JSON.

    ./run bench [--sizes 1000,10000,50000] [--json bench/results/latest.json]

Every crawl runs in its own process against a generated mirror (bench/make_mirror.py) on
127.0.0.1; peak RSS and CPU seconds are the child's own (wait4), so they do not depend on
how busy the machine is, while pages/s does: the load average is recorded with each run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from prakata_crawler.mirror import free_ports, start_mirror_process

from .compare_extractors import compare
from .make_mirror import build, flat_sitemap

ROOT = Path(__file__).resolve().parents[1]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING"]
NEW_ARTICLES = 20
EDITED_ARTICLES = 5  # old articles corrected between the crawls (body and sitemap lastmod)
HIERARCHICAL, FLAT = "hierarchical", "flat"  # a sitemap index of 1,000-URL sitemaps; one sitemap
SHAPES = (HIERARCHICAL, FLAT)
DISCOVERY = re.compile(r"/robots\.txt$|/sitemap[^/]*\.xml$|/feed$|/rss$")


def machine() -> dict:
    """What the numbers were measured on."""
    import lxml.etree
    import scrapy

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "scrapy": scrapy.__version__,
            "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)), "platform": platform.platform()}


def measure(command: list[str], log: Path) -> dict:
    """Run `command` to completion; its wall time, peak RSS and CPU time (from wait4)."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with open(log, "w") as out:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return {"exit": child.returncode, "wall_s": round(time.perf_counter() - start, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "load_before": round(load, 2)}


def serve(work: Path, n: int, shape: str = HIERARCHICAL):
    """The mirror of n articles, on the ports its first crawl used."""
    ports_file = work / f"ports-{n}.json"
    if not ports_file.is_file():
        ports_file.write_text(json.dumps(free_ports()))
    site_port, channel_port, asset_port = json.loads(ports_file.read_text())
    mirror = work / f"mirror-{n}"
    if shape == FLAT:
        mirror = flat_sitemap(mirror)
    return start_mirror_process(mirror, site_port=site_port,
                                channel_port=channel_port, channel_asset_port=asset_port,
                                stderr=subprocess.DEVNULL)


def crawl_command(mirror, out: Path, profile: Path | None = None,
                  settings: tuple[str, ...] = ()) -> list[str]:
    channel = mirror.channel.split("://", 1)[1]
    assets = mirror.channel_assets.split("://", 1)[1]
    prefix = ["-m", "cProfile", "-o", str(profile)] if profile else []
    return [sys.executable, *prefix, "-m", "prakata_crawler.cli", "crawl", "--site",
            mirror.site, "--channel-host", channel, "--out", str(out), *FAST,
            "-s", f"PRAKATA_CHANNEL_ASSET_HOSTS={assets}", *settings]


def last_report(out: Path) -> dict:
    return json.loads(max((out / "runs").glob("*.json"), key=os.path.getmtime).read_text())


def crawl_size(work: Path, n: int, rounds: int = 1, shapes: tuple[str, ...] = SHAPES) -> dict:
    """The bare spider, then `prakata crawl`, on one mirror of n articles, ``rounds`` times
    in turn; the round with the median ratio is reported (pages/s on two shared cores moves
    by a fifth from one minute to the next, and interleaving cancels slow drift). The ratio
    counts pages only: the bare spider fetches no page requisites, ours does.

    With the flat shape, each round also crawls the same site whose one sitemap lists every
    article (``prakata_flat``, ``ratio_flat``; the unsuffixed keys when it is the only
    shape). The bare spider reads no sitemap, so one bare run serves both."""
    mirror_dir, out = work / f"mirror-{n}", work / f"crawl-{n}"
    info = build(mirror_dir, n)
    (work / f"ports-{n}.json").unlink(missing_ok=True)
    runs = []
    primary = HIERARCHICAL if HIERARCHICAL in shapes else shapes[0]  # the table's columns
    for _ in range(rounds):
        run: dict = {}
        # the hierarchical site last: its archive is the one reextract and the incremental
        # re-crawl go on with
        for shape in sorted(shapes, key=lambda shape: shape == HIERARCHICAL):
            with serve(work, n, shape) as mirror:
                if "bare" not in run:
                    bare = measure([sys.executable, "-m", "bench.bare_spider", "--site",
                                    mirror.site], work / f"bare-{n}.log")
                    bare.update(json.loads((work / f"bare-{n}.log").read_text().strip()
                                           .splitlines()[-1]))
                    run["bare"] = _rates(bare)
                shutil.rmtree(out, ignore_errors=True)
                ours = measure(crawl_command(mirror, out), work / f"crawl-{n}-{shape}.log")
                ours.update(crawl_figures(out))
            suffix = "" if shape == primary else "_" + shape
            run["prakata" + suffix] = _rates(ours)
            run["ratio" + suffix] = round(ours["pages_per_s"] / run["bare"]["pages_per_s"], 3)
            run["cpu_ratio" + suffix] = round(ours["pages_per_cpu_s"]
                                              / run["bare"]["pages_per_cpu_s"], 3)
        runs.append(run)
    median = sorted(runs, key=lambda r: r["ratio"])[len(runs) // 2]
    return {"articles": n, "mirror": info, "shapes": list(shapes), **median,
            "round_ratios": [r["ratio"] for r in runs]}


def _rates(run: dict) -> dict:
    run["pages_per_s"] = round(run["pages"] / run["seconds"], 1)
    run["pages_per_cpu_s"] = round(run["pages"] / run["cpu_s"], 1)
    return run


def crawl_figures(out: Path) -> dict:
    """What the last run into ``out`` fetched and wrote."""
    report = last_report(out)
    requisites = report.get("requisites", {})
    return {"pages": report["pages"], "seconds": report["seconds"],
            "articles": report["articles"], "status": report["status"],
            "error_rate": report["error_rate"],
            "requisite_requests": requisites.get("requests", 0),
            "requisites_archived": sum(requisites.get(k, 0) for k in
                                       ("fetched", "revisit", "reused")),
            "requisites_failed": requisites.get("failed", 0),
            "warc_mb": round(sum(p.stat().st_size for p in (out / "warc").glob("*")) / 2**20, 1)}


def requisite_cost(work: Path, n: int) -> dict:
    """The same crawl without page requisites and with them, on the mirror of n articles:
    requests and WARC bytes per article page, pages/s."""
    runs = {}
    with serve(work, n) as mirror:
        for name, settings in (("without", ("-s", "PRAKATA_REQUISITES_ENABLED=0")),
                               ("with", ())):
            out = work / f"requisites-{name}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            run = measure(crawl_command(mirror, out, settings=settings),
                          work / f"requisites-{name}-{n}.log")
            run.update(crawl_figures(out))
            run["pages_per_s"] = round(run["pages"] / run["seconds"], 1)
            run["requests_per_article"] = round(
                (run["pages"] + run["requisite_requests"]) / run["articles"], 2)
            run["warc_kb_per_article"] = round(run["warc_mb"] * 1024 / run["articles"], 1)
            runs[name] = run
            shutil.rmtree(out, ignore_errors=True)
    return {"articles": n, **runs}


def reextract(work: Path, n: int) -> dict:
    """`prakata reextract` over the archive the crawl of n articles wrote."""
    out, target = work / f"crawl-{n}", work / f"reextract-{n}.jsonl"
    run = measure([sys.executable, "-m", "prakata_crawler.cli", "reextract", "--out", str(out),
                   "--to", str(target)], work / f"reextract-{n}.log")
    with open(target, encoding="utf-8") as items:
        articles = sum('"type": "article"' in line or '"type":"article"' in line
                       for line in items)
    return {"archive_articles": n, "articles": articles, **run,
            "articles_per_s": round(articles / run["wall_s"], 1)}


def incremental(work: Path, n: int) -> dict:
    """A second crawl into the same archive after NEW_ARTICLES articles appeared and
    EDITED_ARTICLES old ones were corrected."""
    from datetime import datetime, timezone

    from warcio.archiveiterator import ArchiveIterator

    mirror_dir, out = work / f"mirror-{n}", work / f"crawl-{n}"
    build(mirror_dir, n, NEW_ARTICLES, EDITED_ARTICLES, datetime.now(timezone.utc))
    before = set((out / "warc").iterdir())
    with serve(work, n) as mirror:
        run = measure(crawl_command(mirror, out), work / f"incremental-{n}.log")
    report = last_report(out)
    urls = []
    for path in sorted(set((out / "warc").iterdir()) - before):
        with open(path, "rb") as stream:
            urls += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                     if r.rec_type == "request"]
    beyond = [u for u in urls if not DISCOVERY.search(u.split("?")[0])]
    requisites = report.get("requisites", {})
    return {"archive_articles": n, "new_articles": NEW_ARTICLES,
            "edited_articles": EDITED_ARTICLES, **run,
            "seconds": report["seconds"], "requests_by_reason": report["requests_by_reason"],
            "items_new": report["new"], "items_updated": report["updated"],
            "requests": len(urls), "requests_beyond_discovery": len(beyond),
            "requisite_requests": requisites.get("requests", 0),
            "requisites_reused": requisites.get("reused", 0),
            "beyond_discovery_paths": sorted(urlsplit(u).path for u in beyond),
            "articles": report["articles"], "not_modified": report["not_modified"],
            "status": report["status"]}


def profile(work: Path, n: int, top: int = 25) -> list[str]:
    """cProfile of `prakata crawl` on the mirror of n articles: the top entries by cumulative
    time (a separate, untimed run: the profiler slows the crawl down)."""
    out, stats_file = work / f"profile-{n}", work / f"crawl-{n}.prof"
    shutil.rmtree(out, ignore_errors=True)
    with serve(work, n) as mirror:
        measure(crawl_command(mirror, out, stats_file), work / f"profile-{n}.log")
    shutil.rmtree(out, ignore_errors=True)
    lines = []
    stats = pstats.Stats(str(stats_file))
    for func in stats.sort_stats("cumulative").fcn_list[:top]:
        calls, _, tottime, cumtime, _ = stats.stats[func]
        where = f"{Path(func[0]).name}:{func[1]}({func[2]})"
        lines.append(f"{cumtime:8.1f} cum {tottime:7.1f} own {calls:>9} calls  {where}")
    return lines


def table(result: dict) -> str:
    m = result["machine"]
    rows = [f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python "
            f"{m['python']}, Scrapy {m['scrapy']}",
            "",
            "crawl      articles  pages  pages/s  pages/CPU-s  peak RSS MiB load |"
            "  bare pages  pages/s  pages/CPU-s RSS MiB | ratio  CPU ratio"]
    for row in result["crawl"]:
        ours, bare = row["prakata"], row["bare"]
        rows.append(f"{'':10}{row['articles']:>9,}{ours['pages']:>7,}{ours['pages_per_s']:>9}"
                    f"{ours['pages_per_cpu_s']:>13}{ours['peak_rss_mb']:>13}"
                    f"{ours['load_before']:>6} |{bare['pages']:>12,}{bare['pages_per_s']:>9}"
                    f"{bare['pages_per_cpu_s']:>13}{bare['peak_rss_mb']:>8} |"
                    f"{row['ratio']:>6}{row['cpu_ratio']:>11}  rounds "
                    + " ".join(map(str, row.get("round_ratios", []))))
        flat = row.get("prakata_flat")
        if flat:
            rows.append(f"  one flat sitemap{row['articles']:>9,}{flat['pages']:>7,}"
                        f"{flat['pages_per_s']:>9}{flat['pages_per_cpu_s']:>13}"
                        f"{flat['peak_rss_mb']:>13}{flat['load_before']:>6} |{'':43}|"
                        f"{row['ratio_flat']:>6}{row['cpu_ratio_flat']:>11}")
    if len(result["crawl"]) > 1:
        a, b = result["crawl"][-2], result["crawl"][-1]
        rows.append(f"peak RSS {a['articles']:,} -> {b['articles']:,} articles: "
                    f"{a['prakata']['peak_rss_mb']} -> {b['prakata']['peak_rss_mb']} MiB "
                    f"(x{b['prakata']['peak_rss_mb'] / a['prakata']['peak_rss_mb']:.2f} for "
                    f"x{b['articles'] / a['articles']:.0f} articles)")
    ex = result["extraction"]
    rows += ["", f"extraction ({ex['prakata_crawler']['docs']} golden article pages, "
                 f"load {ex['load_before']})    docs/s  body F1"]
    for name in ("prakata_crawler", "trafilatura"):
        rows.append(f"  {name:<31}{ex[name]['docs_per_s']:>8}{ex[name]['body_f1']:>9}")
    rows.append(f"  speed ratio {ex['speed_ratio']}")
    re_ = result["reextract"]
    rows += ["", f"reextract of the {re_['archive_articles']:,}-article archive: "
                 f"{re_['articles']:,} articles in {re_['wall_s']} s = {re_['articles_per_s']} "
                 f"articles/s, peak RSS {re_['peak_rss_mb']} MiB (load {re_['load_before']})"]
    cost = result.get("requisites")
    if cost:
        rows += ["", f"page requisites, crawl of {cost['articles']:,} articles:"
                     "   requests/article  WARC KiB/article  pages/s"]
        for name in ("without", "with"):
            run = cost[name]
            rows.append(f"  {name:<36}{run['requests_per_article']:>10}"
                        f"{run['warc_kb_per_article']:>18}{run['pages_per_s']:>9}")
    inc = result["incremental"]
    full = next((r for r in result["crawl"] if r["articles"] == inc.get("archive_articles")),
                None)
    rows.append(f"incremental run after {inc['new_articles']} new and "
                f"{inc.get('edited_articles', 0)} corrected old articles: "
                f"{inc.get('items_new', '?')} new and {inc.get('items_updated', '?')} updated "
                f"items; requests by reason: " + ", ".join(
                    f"{v} {k}" for k, v in inc.get("requests_by_reason", {}).items())
                + (f"; {inc['wall_s']} s wall against {full['prakata']['wall_s']} s for the "
                   f"full crawl" if full else ""))
    rows.append(f"  {inc['requests']} "
                f"requests, {inc['requests_beyond_discovery']} beyond robots/sitemaps/feeds, "
                f"{inc['articles']} articles, {inc['not_modified']} answered 304, "
                f"{inc.get('requisite_requests', 0)} requisite requests "
                f"({inc.get('requisites_reused', 0)} reused from the archive), "
                f"{inc['seconds']} s crawl / {inc['wall_s']} s wall (load {inc['load_before']})")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["quality"]:  # extraction quality on real pages: bench/quality.py
        from .quality import main as quality

        return quality(argv[1:])
    parser = argparse.ArgumentParser(prog="./run bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000",
                        help="articles per generated mirror, comma-separated")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--work", type=Path, default=Path("/tmp/prakata-bench"),
                        help="mirrors, archives and logs (reused mirrors are not regenerated)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the extraction pages")
    parser.add_argument("--rounds", type=int, default=3,
                        help="bare/ours rounds per size up to 10,000 articles (the median "
                             "ratio is reported); one above")
    parser.add_argument("--shapes", default=",".join(SHAPES),
                        help="sitemap shapes crawled at every size: hierarchical (an index "
                             "of 1,000-URL sitemaps), flat (one sitemap of every article)")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile the crawl at the re-extraction size (untimed)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    mid = 10_000 if 10_000 in sizes else sizes[0]  # reextract and incremental size
    args.work.mkdir(parents=True, exist_ok=True)
    result: dict = {"machine": machine(), "command": "./run bench --sizes "
                    + ",".join(map(str, sizes)), "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                            time.gmtime())}
    load = round(os.getloadavg()[0], 2)
    extraction = compare(repeat=args.repeat)
    extraction["load_before"] = load
    extraction["speed_ratio"] = round(extraction["prakata_crawler"]["docs_per_s"]
                                      / extraction["trafilatura"]["docs_per_s"], 2)
    result["extraction"] = extraction
    result["crawl"] = []
    args.json.parent.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        rounds = args.rounds if n <= 10_000 else 1
        result["crawl"].append(crawl_size(args.work, n, rounds, tuple(args.shapes.split(","))))
        if n == sizes[0]:
            result["requisites"] = requisite_cost(args.work, n)
        if n == mid:  # its archive and mirror are needed now, not after the biggest crawl
            result["reextract"] = reextract(args.work, mid)
            if args.profile:
                result["profile"] = {"articles": mid, "top_cumulative": profile(args.work, mid)}
            result["incremental"] = incremental(args.work, mid)
        # written after every step: a long run that is stopped still leaves its numbers
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"crawl of {n:,} articles done", file=sys.stderr)
    result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    if "profile" in result:
        print("\ncrawl profile, top by cumulative seconds:\n"
              + "\n".join(result["profile"]["top_cumulative"]))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
