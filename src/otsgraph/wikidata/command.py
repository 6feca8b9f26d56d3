"""`otsgraph link`: reconcile unlinked entities, check linked ones (--check), export QuickStatements.

cli.py registers the subcommand with add_link_arguments() and calls run(). Output files are
written atomically (a temporary file, then a rename), and only after every request succeeded:
when Wikidata cannot be reached the command prints one line, exits 3 and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from otsgraph.core.exit_codes import EXIT_INPUT, EXIT_OK, EXIT_UNREACHABLE
from otsgraph.core.loading import Layout

from .check import format_table, run_check
from .client import (
    API_URL,
    SPARQL_URL,
    MissingRecording,
    RecordingTransport,
    ReplayTransport,
    UrllibTransport,
    WikidataClient,
    WikidataError,
    WikidataUnreachable,
    write_json_atomically,
    write_text_atomically,
)
from .local import ProjectData, short
from .quickstatements import export
from .reconcile import DEFAULT_THRESHOLD, not_searched, reconcile, write_links

RECORDINGS = Path("tests") / "recordings" / "wikidata"


def add_link_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `otsgraph link` (cli.py adds the subcommand and calls run(args, layout))."""
    mode = parser.add_argument_group("what to do (default: reconcile entities that have no link)")
    mode.add_argument(
        "--check", action="store_true", help="compare our facts with Wikidata's for linked entities"
    )
    mode.add_argument(
        "--export-quickstatements",
        metavar="FILE",
        type=Path,
        help="with or without --check: write the facts Wikidata lacks as QuickStatements V1 to FILE",
    )
    parser.add_argument(
        "--threshold",
        type=int,
        default=DEFAULT_THRESHOLD,
        help=f"accept a candidate scoring at least this (0-100, default {DEFAULT_THRESHOLD})",
    )
    parser.add_argument("--limit", type=int, default=None, help="reconcile at most N entities")
    parser.add_argument("--dry-run", action="store_true", help="decide and report, write no links")
    parser.add_argument(
        "--out", type=Path, default=None, help="where accepted links go (default data/links/reconciled.ttl)"
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the report as JSON to FILE")
    parser.add_argument(
        "--format", choices=["table", "json"], default="table", help="report on stdout as a table or JSON"
    )
    network = parser.add_argument_group("network")
    network.add_argument(
        "--cache-dir", type=Path, default=None, help="response cache (default build/cache/wikidata)"
    )
    network.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    network.add_argument(
        "--offline",
        action="store_true",
        help=f"replay recorded responses instead of calling Wikidata (default folder {RECORDINGS})",
    )
    network.add_argument(
        "--recordings", type=Path, default=None, help="recordings folder (implies --offline)"
    )
    network.add_argument(
        "--skip-unrecorded",
        action="store_true",
        help="offline: leave out entities or linked items with no recording (listed) instead of failing",
    )
    network.add_argument(
        "--record",
        metavar="DIR",
        type=Path,
        help="call the live API and save every answer to DIR as a recording",
    )
    network.add_argument("--api-url", default=API_URL, help=f"Wikidata action API (default {API_URL})")
    network.add_argument("--sparql-url", default=SPARQL_URL, help=f"query service (default {SPARQL_URL})")
    network.add_argument(
        "--rate-limit", type=float, default=1.0, help="seconds between two requests (default 1)"
    )
    network.add_argument(
        "--retries", type=int, default=4, help="retries on 429/5xx/connection errors (default 4)"
    )


def make_client(args: argparse.Namespace, layout: Layout) -> tuple[WikidataClient, str]:
    """The client the flags ask for, and a sentence saying what it talks to."""
    recordings = args.recordings or (layout.root / RECORDINGS if args.offline else None)
    if recordings is not None:
        transport = ReplayTransport(recordings)
        about = (
            f"recorded responses in {recordings} (built by hand in Wikidata's formats from cited "
            "evidence, not live data; see each file's _recording note)"
        )
        cache = None  # replaying needs no cache, and must not fill one
    else:
        transport = UrllibTransport()
        if args.record:
            transport = RecordingTransport(transport, args.record)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        about = f"live Wikidata ({args.api_url}, {args.sparql_url}) on {stamp}"
        # a recording must see every answer, so a recording run neither reads nor fills the cache
        use_cache = not (args.no_cache or args.record)
        cache = (args.cache_dir or layout.build_dir / "cache" / "wikidata") if use_cache else None
    client = WikidataClient(
        transport,
        api_url=args.api_url,
        sparql_url=args.sparql_url,
        cache_dir=cache,
        min_interval=0.0 if recordings is not None else args.rate_limit,
        max_retries=args.retries,
    )
    return client, about


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"… {message}", file=sys.stderr, flush=True)


def _usage_problem(args: argparse.Namespace, layout: Layout) -> str | None:
    """Flag combinations that would do something else than asked, said before anything runs."""
    if not 0 <= args.threshold <= 100:
        return f"--threshold {args.threshold} is outside the score scale 0-100"
    if args.record and (args.offline or args.recordings):
        return "--record calls the live API; it cannot be combined with --offline or --recordings"
    curated = (layout.data_dir / "links" / "entities.ttl").resolve()
    if args.out is not None and args.out.resolve() == curated:
        return f"--out {args.out} is the curated links file; reconciled links are written apart from it"
    if layout.shipped and args.out is None and not (args.check or args.export_quickstatements):
        return (
            "the inputs are the package's read-only copy, where reconciled links cannot be written: "
            "give --out FILE, or point --root or $OTSGRAPH_HOME at a project folder"
        )
    return None


def run(args: argparse.Namespace, layout: Layout) -> int:
    problem = _usage_problem(args, layout)
    if problem:
        print(f"Usage error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    try:
        client, about = make_client(args, layout)
        data = ProjectData.load(layout)
        if args.check or args.export_quickstatements:
            return _check(args, client, about, data)
        return _reconcile(args, client, about, data, layout)
    except WikidataUnreachable as error:
        print(f"Wikidata unreachable: {error}; nothing was written.", file=sys.stderr)
        return EXIT_UNREACHABLE
    except MissingRecording as error:
        print(f"Missing recording: {error}; nothing was written.", file=sys.stderr)
        return EXIT_UNREACHABLE
    except WikidataError as error:
        print(f"Wikidata error: {error}; nothing was written.", file=sys.stderr)
        return EXIT_UNREACHABLE


def _check(args: argparse.Namespace, client: WikidataClient, about: str, data: ProjectData) -> int:
    _say(args.quiet, f"checking {len(data.links)} linked entities against {about}")
    report = run_check(client, data, about, skip_missing=args.skip_unrecorded)
    document = report.to_json()
    quickstatements = None
    if args.export_quickstatements:
        text, reference, count = export(report, data)
        quickstatements = (text, reference, count)
    # every request is done: now write, each file atomically
    if args.json:
        write_json_atomically(args.json, document)
    if quickstatements:
        text, reference, count = quickstatements
        write_text_atomically(args.export_quickstatements, text)
    if args.format == "json":
        print(json.dumps(document, ensure_ascii=False, indent=1))
    elif args.check:
        print(format_table(report))
    if quickstatements:
        text, reference, count = quickstatements
        print(f"wrote {count} QuickStatements line(s) to {args.export_quickstatements}", file=sys.stderr)
        if not reference.complete:
            print(
                "  note: the source article has no Wikidata item and no URL, so each line's reference is "
                "only its title (S1476) and retrieval date (S813): complete it before submitting.",
                file=sys.stderr,
            )
        if "recorded responses" in about:
            print(
                "  note: 'Wikidata lacks' was judged against recorded responses, not live Wikidata: "
                "rerun online before submitting.",
                file=sys.stderr,
            )
    return EXIT_OK


def _reconcile(
    args: argparse.Namespace, client: WikidataClient, about: str, data: ProjectData, layout: Layout
) -> int:
    out = args.out or layout.data_dir / "links" / "reconciled.ttl"
    progress = (lambda m: None) if args.quiet else (lambda m: _say(False, m))
    _say(args.quiet, f"reconciling entities without a link, against {about}")
    decisions = reconcile(
        client,
        data,
        threshold=args.threshold,
        limit=args.limit,
        progress=progress,
        skip_missing=args.skip_unrecorded,
    )
    left_alone = not_searched(data)
    document = {
        "compared_against": about,
        "threshold": args.threshold,
        "decisions": [d.to_json(data) for d in decisions],
        "not_searched": [{"entity": short(e), "why": why} for e, why in left_alone],
    }
    added = 0
    if not args.dry_run:
        added = write_links(decisions, out, args.api_url)
    if args.json:
        write_json_atomically(args.json, document)
    if args.format == "json":
        print(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        print(f"Searched: {about}")
        for decision in decisions:
            best = decision.accepted or (decision.candidates[0] if decision.candidates else None)
            shown = f"wd:{best.qid} {best.total}" if best else "-"
            print(f"  {decision.status:<8} {short(decision.entity):<45} {shown:<16} {decision.reason}")
            for rejected in decision.rejected:
                print(f"           rejected wd:{rejected.qid}: type {rejected.type_reason}")
        accepted = sum(1 for d in decisions if d.accepted)
        skipped = sum(1 for d in decisions if d.skipped)
        left = len(decisions) - accepted - skipped
        print(f"{accepted} accepted, {left} to review (threshold {args.threshold})")
        if skipped:
            print(f"{skipped} skipped: no recording of their requests (--skip-unrecorded)")
        reasons = Counter(why for _, why in left_alone)
        listed = "; ".join(f"{count} {why}" for why, count in sorted(reasons.items()))
        print(f"not searched: {len(left_alone)} unlinked entities ({listed}; see --format json)")
        if args.dry_run:
            print("dry run: no links written")
        elif added:
            print(f"wrote {added} link(s) to {out}")
        curated = [d.entity for d in decisions if d.accepted and d.entity in data.statuses]
        if curated and not args.dry_run:
            # the curated file still lists these as not linked; shapes/WikidataLink.ttl refuses both
            curated_file = layout.data_dir / "links" / "entities.ttl"
            print(f"To do: remove the ots:wikidataStatus of these from {curated_file}:")
            for entity in curated:
                print(f"  {short(entity)} (was {short(data.statuses[entity])})")
    return EXIT_OK
