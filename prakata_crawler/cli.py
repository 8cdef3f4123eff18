"""The ``prakata`` command: a thin wrapper over ``scrapy crawl prakata`` and ``extract()``.

``prakata crawl`` only turns options into Scrapy settings and spider arguments, runs the
spider in-process and maps the run report's status to an exit code a scheduler can act on.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import warnings
from contextlib import ExitStack
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_ERROR_RATE, EXIT_CRASH = 0, 2, 3, 4, 5
EXIT_INVALID = 6  # prakata verify found a problem
EXIT_COVERAGE = 7  # headline or body missing on too many articles
EXIT_CODES = {"ok": EXIT_OK, "unreachable": EXIT_UNREACHABLE, "error_rate": EXIT_ERROR_RATE,
              "coverage": EXIT_COVERAGE}
# A local mirror needs no politeness: crawl it as fast as the machine allows.
MIRROR_PORTS = (18080, 18081, 18082)
MIRROR_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                   "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # cdxj-indexer imports pyamf, which imports pkg_resources: setuptools 80 warns about it
    # on every start, a line about someone else's code in front of ours
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated",
                            category=UserWarning)
    if argv[:1] == ["mirror"]:  # the mirror has its own options (--fixtures, --verbose, ...)
        from .mirror import main as mirror_main

        return mirror_main(argv[1:])
    parser = argparse.ArgumentParser(prog="prakata", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    crawl = commands.add_parser("crawl", help="crawl the site into <out>/items and <out>/runs")
    crawl.add_argument("--site", default="https://www.prakata.com")
    crawl.add_argument("--out", default="archive")
    crawl.add_argument("--channel-host", action="append", dest="channel_hosts",
                       metavar="HOST[:PORT]", help="default: whatsapp.com, www.whatsapp.com")
    crawl.add_argument("--since", help="earliest publication date (YYYY-MM-DD)")
    crawl.add_argument("--until", help="latest publication date (YYYY-MM-DD)")
    crawl.add_argument("--max-articles", type=int, default=0)
    crawl.add_argument("--budget", type=int, default=0,
                       help="stop after this many responses (a per-run request budget)")
    crawl.add_argument("-v", "--verbose", action="store_true",
                       help="on a terminal, show Scrapy's log too (it always goes to the run's "
                            "log file under <out>/logs/)")
    crawl.add_argument("--log-json", action="store_true",
                       help="one JSON object per log line (for schedulers and log shippers)")
    crawl.add_argument("--resume", action="store_true",
                       help="continue the stopped or killed run in --out")
    crawl.add_argument("--full", action="store_true",
                       help="fetch everything again (default: incremental over the archive)")
    crawl.add_argument("--urls", help="crawl only the URLs in this file (one per line) and "
                       "the channels they link")
    crawl.add_argument("--mirror", action="store_true",
                       help="start the bundled fixture mirror on 127.0.0.1 and crawl it")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="a Scrapy setting, e.g. -s DOWNLOAD_DELAY=0")
    crawl.set_defaults(run=run_crawl)

    ext = commands.add_parser("extract", help="print one JSON item per HTML file")
    ext.add_argument("--url", help="the URL the page was fetched from (default: file URL)")
    ext.add_argument("files", nargs="+", type=Path)
    ext.set_defaults(run=run_extract)

    commands.add_parser("mirror", help="serve the fixture world on 127.0.0.1 (see --help)")

    verify = commands.add_parser("verify", help="check every WARC file and the index")
    verify.add_argument("--out", default="archive", type=Path)
    verify.add_argument("--repair", action="store_true",
                        help="cut .open files left by a killed crawl back to their last "
                             "complete record, close and index them")
    verify.set_defaults(run=run_verify)

    replay = commands.add_parser("replay", help="serve the archive with pywb on 127.0.0.1")
    replay.add_argument("--out", default="archive", type=Path)
    replay.add_argument("--port", type=int, default=8080)
    replay.set_defaults(run=run_replay)

    pack = commands.add_parser("pack", help="package the archive as a WACZ file")
    pack.add_argument("--out", default="archive", type=Path)
    pack.add_argument("--to", type=Path, help="default: <out>/prakata.wacz")
    pack.set_defaults(run=run_pack)

    again = commands.add_parser("reextract", help="rebuild items from the WARC archive")
    again.add_argument("--out", default="archive", type=Path)
    again.add_argument("--to", type=Path, help="default: <out>/reextract/<time>.jsonl")
    again.set_defaults(run=run_reextract)

    schema = commands.add_parser("schema", help="print the items' JSON Schema")
    schema.set_defaults(run=lambda args: print(json.dumps(_json_schema(), indent=2)) or 0)

    args = parser.parse_args(argv)
    return args.run(args)


def _json_schema() -> dict:
    from .items import json_schema

    return json_schema()


def run_extract(args) -> int:
    from . import extract

    status = EXIT_OK
    for path in args.files:
        try:
            body = path.read_bytes()
        except OSError as exc:
            print(f"prakata extract: {path}: {exc.strerror}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        url = args.url or path.resolve().as_uri()
        print(json.dumps(extract(body, url), ensure_ascii=False), flush=True)
    return status


def run_verify(args) -> int:
    from .warc.verify import verify

    report = verify(args.out, repair_open=args.repair)
    for name in report.repaired:
        print(f"repaired {name}", file=sys.stderr)
    for problem in report.problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if not report.files:
        print(f"prakata verify: no WARC files under {args.out / 'warc'}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{report.files} WARC files, {report.records} records, "
          f"{len(report.problems)} problems", file=sys.stderr)
    return EXIT_OK if not report.problems else EXIT_INVALID


def run_replay(args) -> int:
    from .warc import replay

    if not list((args.out / "indexes").glob("*.cdxj")):
        print(f"prakata replay: no index under {args.out}/indexes: crawl first",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        binary = replay.wayback_binary()
    except FileNotFoundError as exc:
        print(f"prakata replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"replaying {args.out}: open http://127.0.0.1:{args.port}/{replay.COLLECTION}/*/"
          f"<url> (Ctrl-C stops)", file=sys.stderr, flush=True)
    # become pywb, so a signal to this process reaches it and nothing is left behind
    os.chdir(replay.write_config(args.out))
    os.execv(binary, [str(binary), "-b", "127.0.0.1", "-p", str(args.port)])


def run_pack(args) -> int:
    import subprocess
    from datetime import datetime, timezone

    from .warc.pack import pack

    warcs = sorted((args.out / "warc").glob("*.warc.gz"))
    if not warcs:
        print(f"prakata pack: no WARC files under {args.out}/warc", file=sys.stderr)
        return EXIT_USAGE
    pages, unreadable = [], 0
    for path in sorted((args.out / "items").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except ValueError:  # the last line of a killed run's file may be cut short
                unreadable += 1
                continue
            moment = datetime.fromisoformat(item["crawled_at"]).astimezone(timezone.utc)
            pages.append({"url": item["url"], "title": item.get("headline") or item.get("name"),
                          "ts": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
    if unreadable:
        print(f"prakata pack: skipped {unreadable} unreadable item lines", file=sys.stderr)
    target = args.to or args.out / "prakata.wacz"
    try:
        pack(warcs, pages, target)
    except FileNotFoundError as exc:
        print(f"prakata pack: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except subprocess.CalledProcessError as exc:
        print(f"prakata pack: wacz failed: {exc.stderr or exc.stdout}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{target}: {len(warcs)} WARC files, {len(pages)} pages", file=sys.stderr)
    return EXIT_OK


def run_reextract(args) -> int:
    from datetime import datetime, timezone

    from .reextract import reextract

    if not list((args.out / "warc").glob("*.warc.gz")):
        print(f"prakata reextract: no WARC files under {args.out / 'warc'}", file=sys.stderr)
        return EXIT_USAGE
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = args.to or args.out / "reextract" / f"{stamp}.jsonl"
    count = reextract(args.out, target)
    print(f"{count} items from {args.out / 'warc'} -> {target}", file=sys.stderr)
    return EXIT_OK


def usage_error(args) -> str | None:
    """What is wrong with ``prakata crawl``'s arguments, checked before anything is written:
    a ``--site`` that is no http(s) URL with a host, a ``--urls`` file that is missing or
    lists no URL, a ``-s`` name of ours (``PRAKATA_*``) that no setting has."""
    from urllib.parse import urlsplit

    from . import settings as defaults

    site = urlsplit(args.site)
    if site.scheme not in {"http", "https"} or not site.hostname:
        return f"--site: not an http(s) URL with a host: {args.site!r}"
    if args.urls:
        try:
            lines = Path(args.urls).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            return f"--urls: cannot read {args.urls}: {getattr(exc, 'strerror', None) or exc}"
        if not any(urlsplit(line.strip()).scheme in {"http", "https"} for line in lines
                   if not line.strip().startswith("#")):
            return f"--urls: {args.urls} lists no http(s) URL"
    ours = [name for name in dir(defaults) if name.startswith("PRAKATA_")]
    for item in args.set:
        name, sep, _ = item.partition("=")
        name = name.strip()
        if not sep or not name:
            return f"-s expects NAME=VALUE, got {item!r}"
        if name.startswith("PRAKATA_") and name not in ours:
            close = difflib.get_close_matches(name, ours, n=1)
            return f"-s {name}: no such setting" + (f" (did you mean {close[0]}?)"
                                                   if close else "")
    return None


def run_crawl(args) -> int:
    from .spiders.prakata import parse_bound

    problem = usage_error(args)
    if problem:
        print(f"prakata crawl: {problem}", file=sys.stderr)
        return EXIT_USAGE
    bounds = {}
    for name in ("since", "until"):
        value = getattr(args, name)
        bounds[name] = parse_bound(value, end_of_day=name == "until") if value else None
        if value and bounds[name] is None:
            print(f"prakata crawl: --{name}: not a date: {value!r}", file=sys.stderr)
            return EXIT_USAGE
    if bounds["since"] and bounds["until"] and bounds["since"] > bounds["until"]:
        print("prakata crawl: --since is after --until", file=sys.stderr)
        return EXIT_USAGE
    overrides: dict[str, str] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name.strip()] = value
    with ExitStack() as stack:
        site, channel_hosts = args.site, args.channel_hosts
        if args.mirror:
            from .mirror import DEFAULT_FIXTURES_DIR, start_mirror_process

            if not (DEFAULT_FIXTURES_DIR / "routes.json").is_file():
                print(f"prakata crawl: --mirror: no fixture world at {DEFAULT_FIXTURES_DIR}",
                      file=sys.stderr)
                return EXIT_USAGE

            try:  # fixed ports when free: repeated mirror crawls then archive the same URLs
                process = start_mirror_process(
                    DEFAULT_FIXTURES_DIR, site_port=MIRROR_PORTS[0], channel_port=MIRROR_PORTS[1],
                    channel_asset_port=MIRROR_PORTS[2], stderr=subprocess.DEVNULL)
            except RuntimeError:
                try:
                    process = start_mirror_process(DEFAULT_FIXTURES_DIR,
                                                   stderr=subprocess.DEVNULL)
                except (RuntimeError, OSError) as exc:
                    print(f"prakata crawl: --mirror: the fixture mirror did not start: {exc}",
                          file=sys.stderr)
                    return EXIT_USAGE
            stack.enter_context(process)
            site = process.site
            channel_hosts = [process.channel.split("://", 1)[1]]
            # the channels' avatars: the mirror's stand-in for pps.whatsapp.net
            overrides = {**MIRROR_SETTINGS, "PRAKATA_CHANNEL_ASSET_HOSTS":
                         process.channel_assets.split("://", 1)[1], **overrides}
            print(f"prakata crawl: fixture mirror at {site} (channels {process.channel})",
                  file=sys.stderr)
        return _crawl(args, site, channel_hosts, overrides)


def _crawl(args, site: str, channel_hosts: list[str] | None, overrides: dict) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "prakata_crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("PRAKATA_OUT", str(Path(args.out)), priority="cmdline")
    if args.max_articles:
        settings.set("PRAKATA_MAX_ARTICLES", args.max_articles, priority="cmdline")
    if args.budget:  # Scrapy's CloseSpider extension enforces it
        settings.set("CLOSESPIDER_PAGECOUNT", args.budget, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    spider_args = {"site": site}
    if channel_hosts:
        spider_args["channel_hosts"] = ",".join(channel_hosts)
    for name in ("since", "until", "urls", "full", "resume"):
        if getattr(args, name):
            spider_args[name] = getattr(args, name)
    try:
        settings.set("PRAKATA_RUN_ID", _job(Path(args.out), args.resume), priority="cmdline")
    except (FileNotFoundError, ValueError) as exc:
        print(f"prakata crawl: --resume: {exc}", file=sys.stderr)
        return EXIT_USAGE
    log_file = None
    if args.log_json:  # Scrapy's own handler off, ours on the root logger
        from .logjson import use_json_logs

        use_json_logs(settings.get("LOG_LEVEL"))
        settings.set("LOG_ENABLED", False, priority="cmdline")
    elif _quiet_terminal(args, overrides):  # Scrapy's log to a file, warnings on screen
        log_file = Path(args.out) / "logs" / f"{settings.get('PRAKATA_RUN_ID')}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", True, priority="cmdline")
        settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    process = CrawlerProcess(settings)
    if log_file is not None:
        import logging

        screen = logging.StreamHandler(sys.stderr)
        screen.setLevel(logging.WARNING)
        screen.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logging.getLogger().addHandler(screen)
    try:
        crawler = process.create_crawler("prakata")
        process.crawl(crawler, **spider_args)
        process.start()
    except ValueError as exc:
        print(f"prakata crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report_path = crawler.stats.get_value("prakata/report")
    if not report_path:
        print("prakata crawl: the run ended without a report (see the log)", file=sys.stderr)
        return EXIT_CRASH
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    print(_summary(report, report_path, log_file), file=sys.stderr)
    return EXIT_CODES.get(report["status"], EXIT_CRASH)


def _job(out: Path, resume: bool) -> str:
    """The run id of this job (kept in ``<out>/job/run-id``). A new run starts a new job;
    ``--resume`` continues the last one: its items file is cut back to its last complete
    line and the state store learns the items it holds, so nothing is emitted twice. What
    the job still had to fetch is the state store's ``pending`` table, written as requests
    are scheduled: Scrapy's JOBDIR queues do not survive a SIGKILL (queuelib's files are
    left half-written), the SQLite table does."""
    import shutil

    from .items import fingerprint, item_key
    from .spiders.prakata import RUN_ID, new_run_id
    from .state import StateStore

    job = out / "job"
    if not resume:
        shutil.rmtree(job, ignore_errors=True)
        job.mkdir(parents=True)
        run_id = new_run_id()
        (job / "run-id").write_text(run_id)
        return run_id
    if not (job / "run-id").is_file():
        raise FileNotFoundError(f"no run to resume in {out}")
    run_id = (job / "run-id").read_text().strip()
    if not RUN_ID.fullmatch(run_id):  # it names files under items/ and runs/
        raise ValueError(f"{job / 'run-id'} holds no valid run id: {run_id[:80]!r}")
    items = out / "items" / f"{run_id}.jsonl"
    data = items.read_bytes() if items.is_file() else b""
    complete = data[: data.rfind(b"\n") + 1]
    if complete != data:
        items.write_bytes(complete)  # a line the kill cut short
    written = [json.loads(line) for line in complete.decode("utf-8").splitlines()]
    store = StateStore(out / "state.sqlite")
    for item in written:
        store.emitted(item_key(item), fingerprint(item), item["version"], run_id,
                      item["crawled_at"], item["url"])
    store.close()
    return run_id


def _quiet_terminal(args, overrides: dict) -> bool:
    """A person at a terminal who asked for no log: Scrapy's INFO chatter (its stats
    dictionary alone is 60 lines) goes to the run's log file. Cron, systemd and Scrapyd
    (stderr not a terminal), ``-v``, and a ``LOG_LEVEL`` or ``LOG_FILE`` of one's own keep
    Scrapy's log where Scrapy puts it."""
    return sys.stderr.isatty() and not args.verbose and not {"LOG_LEVEL", "LOG_FILE"} & set(
        overrides)


def _summary(report: dict, path: str, log_file: Path | None = None) -> str:
    lines = [
        f"run {report['run_id']}: {report['status']}"
        + (f" ({report['status_reason']})" if report["status_reason"] else ""),
        f"  {report['pages']} pages in {report['seconds']} s "
        f"({report['pages_per_second']} pages/s); {report['articles']} articles, "
        f"{report['channels']} channels, {report['rejected']} rejected, "
        f"{report['fetch_failures']} fetch failures",
        f"  items: {report['new']} new, {report['updated']} updated, {report['unchanged']} "
        f"unchanged; {report['known_not_fetched']} known pages not fetched again",
    ]
    if report.get("requests_by_reason"):
        lines.append(f"  {report['requests']} requests: " + ", ".join(
            f"{count} {reason}" for reason, count in report["requests_by_reason"].items()))
    for reason, count in list(report["rejected_reasons"].items())[:5]:
        lines.append(f"  rejected x{count}: {reason}")
    if report["articles"]:
        coverage = ", ".join(f"{field} {share:.0%}" for field, share in report["coverage"].items())
        lines.append(f"  coverage: {coverage}")
    lines.append(f"  items:  {report['items_file']}")
    lines.append(f"  report: {path}")
    if log_file is not None:
        lines.append(f"  log:    {log_file}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
