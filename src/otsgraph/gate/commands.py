"""The write commands: `otsgraph validate`, `add`, `log`, `revert`, `export`, `reset` (cli.py registers them).

Exit codes as everywhere: 0 conforms / done; 1 does not conform (nothing written); 2 unreadable
input, unknown change, or the store cannot be opened.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.exit_codes import EXIT_INPUT, EXIT_INVALID, EXIT_OK
from otsgraph.core.loading import Layout
from otsgraph.core.store import StoreBusy

EXPORT_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "turtle": ox.RdfFormat.TURTLE}


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="the on-disk store (default build/store; built if missing; refused, exit 2, while a running "
        "`otsgraph serve` holds it)",
    )


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="RDF files, checked together")
    _submission_arguments(parser)


def _submission_arguments(parser: argparse.ArgumentParser) -> None:
    """What validate and add share: the report's format, the files' format, the size limit, the store."""
    parser.add_argument(
        "--format", default="text", choices=["text", "json", "turtle"], help="report format (default text)"
    )
    parser.add_argument(
        "--input-format",
        default=None,
        choices=["turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml"],
        help="the files' RDF format (default: from each file's extension)",
    )
    _limit_argument(parser)
    _store_argument(parser)


def _limit_argument(parser: argparse.ArgumentParser) -> None:
    from .submission import Limits

    parser.add_argument(
        "--max-bytes",
        type=int,
        default=Limits().max_bytes,
        help=f"refuse a file larger than this (default {Limits().max_bytes})",
    )


def add_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="RDF files, added together or not at all"
    )
    parser.add_argument(
        "--as", dest="who", default=None, help="who makes the change (default: your login name)"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="first drop every addition and the change log (the shipped data stays); asks first",
    )
    _yes_argument(parser)
    _submission_arguments(parser)


def _yes_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-y", "--yes", action="store_true", help="do not ask before dropping the additions (for scripts)"
    )


def add_log_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "change", metavar="ID", nargs="?", default=None, help="show this change's quads (added, removed)"
    )
    parser.add_argument("--json", action="store_true", help="print the log as JSON")
    _store_argument(parser)


def add_revert_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("change", metavar="ID", help="the change to undo (from `otsgraph log`)")
    parser.add_argument(
        "--as", dest="who", default=None, help="who makes the change (default: your login name)"
    )
    _store_argument(parser)


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=None, help="write to this file (default: standard output)"
    )
    parser.add_argument("--format", default="trig", choices=list(EXPORT_FORMATS), help="default trig")
    _store_argument(parser)


def add_reset_arguments(parser: argparse.ArgumentParser) -> None:
    _yes_argument(parser)
    _store_argument(parser)


# ---- helpers --------------------------------------------------------------------------------


def _who(args: argparse.Namespace) -> str:
    if args.who:
        return args.who
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def seed_store(path: Path, layout: Layout) -> None:
    """Create the store with the shipped graph and its inferences (no release files are written)."""
    from otsgraph.core.loading import load_sources
    from otsgraph.core.store import open_store

    from .seed import seed_from_sources

    store = open_store(path)
    seed_from_sources(store, load_sources(layout))
    del store


def _store_path(args: argparse.Namespace, layout: Layout) -> Path:
    return args.store or layout.build_dir / "store"


def _open(args: argparse.Namespace, layout: Layout, quiet: bool, read_only: bool = False):
    """The gate on the store, building the store first when it does not exist yet. StoreBusy when a
    running `otsgraph serve` holds the store (a reader too: Oxigraph leaves reading a store another
    process writes undefined); a reader sees the store as recovery leaves it (audit.open_for_reading)."""
    from otsgraph.core.serving import running_server
    from otsgraph.core.store import open_for_writing

    from .audit import open_for_reading
    from .gate import Gate

    path = _store_path(args, layout)
    if not path.exists() and running_server(path) is None:
        if not quiet:
            print(f"… no store at {path} yet: seeding it with the shipped graph", file=sys.stderr)
        seed_store(path, layout)
    if read_only:
        progress = None if quiet else (lambda message: print(f"… {message}", file=sys.stderr))
        store = open_for_reading(path, _INSTEAD.get(getattr(args, "command", "")), progress)
    else:
        store = open_for_writing(path, _INSTEAD["write"])
    return Gate(store, layout, recover=not read_only)


#: what to do instead of opening a store a server holds (default: query it at <address>/sparql)
_INSTEAD = {
    "validate": "check the files with the server: POST them to {address}/validate",
    "log": "ask the server: the change log is graph:audit, at {address}/sparql",
    "export": "read graph:additions from the server: {address}/rdf-graphs?graph=https://w3id.org/otsgraph/graph/additions",
    "write": "write through the server (with an update token): POST {address}/validate then the Graph Store "
    "Protocol at {address}/rdf-graphs, or SPARQL Update at {address}/sparql",
}


def _read_change(args: argparse.Namespace):
    """The files as one change; InputErrors are collected so that every bad file is named."""
    from .change import change_from_quads
    from .submission import InputError, Limits, read_file

    quads: list[ox.Quad] = []
    errors: list[InputError] = []
    limits = Limits(max_bytes=args.max_bytes)
    for path in args.files:
        try:
            quads += read_file(path, args.input_format, limits)
        except InputError as error:
            errors.append(error)
    return change_from_quads(quads), errors


def _print_report(report, fmt: str, source: str) -> None:
    if fmt == "json":
        print(report.to_json())
    elif fmt == "turtle":
        print(report.to_turtle())
    else:
        print(report.to_text(source))


def _input_errors(errors) -> int:
    for error in errors:
        print(f"Input error: {error}", file=sys.stderr)
    return EXIT_INPUT


# ---- commands -------------------------------------------------------------------------------


def run_validate(args: argparse.Namespace, layout: Layout) -> int:
    change, errors = _read_change(args)
    if errors:
        return _input_errors(errors)
    try:
        gate = _open(args, layout, args.quiet, read_only=True)
    except StoreBusy as error:
        return _fail(str(error))
    report = gate.check(change)
    _print_report(report, args.format, ", ".join(str(p) for p in args.files))
    return EXIT_OK if report.conforms else EXIT_INVALID


def run_add(args: argparse.Namespace, layout: Layout) -> int:
    from .gate import Rejected

    if not args.files and not args.reset:
        return _fail("nothing to add: name one or more files (or use --reset)")
    change, errors = _read_change(args)
    if errors:
        return _input_errors(errors)
    try:
        gate = _open(args, layout, args.quiet)
    except StoreBusy as error:
        return _fail(str(error))
    if args.reset:
        if not _confirmed_reset(gate, args):
            return EXIT_INPUT
        dropped = gate.reset()
        print(
            f"reset: dropped {dropped} quads of additions and the change log; "
            "the shipped graphs are unchanged"
        )
        if not args.files:
            return EXIT_OK
    source = ", ".join(str(p) for p in args.files)
    try:
        report = gate.commit(change, _who(args), f"add {source}")
    except Rejected as rejected:
        _print_report(rejected.report, args.format, source)
        print("Rejected: nothing was added.", file=sys.stderr)
        return EXIT_INVALID
    if args.format != "text":
        _print_report(report, args.format, source)
    else:
        if report.findings:
            print(report.to_text(source))
        if report.change_id:
            print(f"accepted: change {report.change_id} ({report.added} quads submitted)")
        else:
            print("accepted: nothing new (every triple was already in the graph)")
    return EXIT_OK


def run_log(args: argparse.Namespace, layout: Layout) -> int:
    try:
        gate = _open(args, layout, args.quiet, read_only=True)
    except StoreBusy as error:
        return _fail(str(error))
    if args.change:
        return _show_change(gate, args.change)
    records = gate.log()
    if args.json:
        print(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not records:
        print("no changes: the store holds the shipped graph only")
    for r in records:
        counts = f"+{r.added_count} -{r.removed_count} (inferred +{r.inferred_added} -{r.inferred_removed})"
        print(f"{r.id}  {r.when}  {r.who:<12} {counts}  {r.summary}")
    return EXIT_OK


def _show_change(gate, change_id: str) -> int:
    """One change: its line of the log, then what it added and removed, as N-Quads."""
    from .audit import UnknownChange

    try:
        record = gate.record(change_id)
    except UnknownChange:
        return _fail(f"no change {change_id!r} in the log (see `otsgraph log`)")
    print(f"{record.id}  {record.when}  {record.who}  {record.summary}")
    for title, quads in (("added", record.added_asserted), ("removed", record.removed)):
        print(f"# {title} ({len(quads)})")
        for quad in quads:
            print(f"{quad} .")
    return EXIT_OK


def run_revert(args: argparse.Namespace, layout: Layout) -> int:
    from .audit import UnknownChange
    from .gate import Rejected

    try:
        gate = _open(args, layout, args.quiet)
    except StoreBusy as error:
        return _fail(str(error))
    try:
        report = gate.revert(args.change, _who(args))
    except UnknownChange:
        return _fail(f"no change {args.change!r} in the log (see `otsgraph log`)")
    except Rejected as rejected:
        print(rejected.report.to_text(f"revert {args.change}"))
        print("Rejected: the revert would leave the graph invalid; nothing changed.", file=sys.stderr)
        return EXIT_INVALID
    if report.change_id is None:  # an empty plan: nothing of the change is left to undo
        print(
            f"nothing to revert: what change {args.change} did is no longer in the graph (reverted "
            "before, or changed since); nothing was written",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"reverted {args.change} by change {report.change_id}")
    return EXIT_OK


def run_export(args: argparse.Namespace, layout: Layout) -> int:
    try:
        gate = _open(args, layout, args.quiet, read_only=True)
    except StoreBusy as error:
        return _fail(str(error))
    data = gate.export(EXPORT_FORMATS[args.format])
    if args.out:
        args.out.write_bytes(data)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return EXIT_OK


def _confirmed_reset(gate, args: argparse.Namespace) -> bool:
    """A reset cannot be undone: ask on a terminal, refuse without --yes anywhere else."""
    if args.yes:
        return True
    changes = len(gate.log())
    what = f"every addition and the change log ({changes} accepted change{'s' * (changes != 1)})"
    if not sys.stdin.isatty():
        _fail(f"reset would drop {what} and cannot be undone; pass --yes to confirm (no terminal to ask)")
        return False
    answer = input(f"Drop {what}? This cannot be undone. [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        return True
    print("Nothing was dropped.", file=sys.stderr)
    return False


def run_reset(args: argparse.Namespace, layout: Layout) -> int:
    try:
        gate = _open(args, layout, args.quiet)
    except StoreBusy as error:
        return _fail(str(error))
    if not _confirmed_reset(gate, args):
        return EXIT_INPUT
    dropped = gate.reset()
    print(f"reset: dropped {dropped} quads of additions and the change log; the shipped graphs are unchanged")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return EXIT_INPUT
