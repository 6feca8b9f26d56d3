"""The `otsgraph` command line. Only this module prints and chooses exit codes.

Exit codes: 0 OK; 1 the data does not conform, is inconsistent, or QC has ERROR rows;
2 an input, syntax or usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.exit_codes import EXIT_INPUT, EXIT_INVALID, EXIT_OK
from otsgraph.core.loading import Layout, LoadError
from otsgraph.core.store import StoreBusy

from . import __version__


class Console:
    """Progress on stderr unless --quiet; results on stdout."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def progress(self, message: str) -> None:
        if not self.quiet:
            print(f"… {message}", file=sys.stderr, flush=True)


def _layout(args: argparse.Namespace) -> Layout:
    return Layout.resolve(args.root)  # --root, else $OTSGRAPH_HOME, the checkout or the package's copy


def _fail(kind: str, detail: str, code: int = EXIT_INPUT) -> int:
    print(f"{kind}: {detail}", file=sys.stderr)
    return code


def cmd_build(args: argparse.Namespace) -> int:
    from otsgraph.pipeline.build import run_build

    console = Console(args.quiet)
    layout = _layout(args)
    result = run_build(layout, console.progress, write=not args.no_write)
    inconsistencies = result.reasoned.inconsistencies
    print(f"otsgraph {__version__} build")
    print(f"  files read           {len(result.sources.files)}")
    print(f"  claims               {len(result.sources.claim_graphs)}")
    print(f"  triples asserted     {result.asserted_count}")
    print(
        f"  triples background   {len(result.sources.graphs[ox.NamedNode('https://w3id.org/otsgraph/graph/background')])}"
    )
    print(f"  triples inferred     {result.inferred_count}")
    print("  entities per class:")
    for name, count in sorted(result.entities_per_class().items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {name:<30} {count}")
    report = result.report
    if report is not None:
        print(f"  shape violations     {report.violations}")
        print(f"  shape warnings       {report.warnings}")
    print(f"  inconsistencies      {len(inconsistencies)}")
    print("  timings (s)          " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
    for path in result.artefacts:
        print(f"  wrote {path}")
    failed = False
    for problem in inconsistencies:
        failed = True
        print(f"Inconsistency: {problem.message}", file=sys.stderr)
        for t in problem.triples:
            print(f"    {t[0]} {t[1]} {t[2]}", file=sys.stderr)
    from otsgraph.validation.report import Report

    warnings = [f for f in report.findings if f.severity == "Warning"] if report is not None else []
    if warnings:  # they do not block, but a count alone tells nobody what to fix
        print("Shape warnings (they do not block the build):")
        print(Report(warnings).to_text("the shipped graph"))
    if report is not None and report.violations:
        failed = True
        print("Validation failed:", file=sys.stderr)
        blocking = [f for f in report.findings if f.severity != "Warning"]
        print(Report(blocking).to_text("the shipped graph"), file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


def _open_built_store(args: argparse.Namespace, console: Console) -> ox.Store:
    """The built store, read-only, as recovery leaves it; StoreBusy (exit 2, naming the server) when a
    running `otsgraph serve` holds it: Oxigraph leaves reading a store another process writes undefined."""
    from otsgraph.core.serving import running_server
    from otsgraph.gate.audit import open_for_reading
    from otsgraph.pipeline.build import run_build

    if args.store is not None:  # a store the user names is read as it is, never built
        if not (args.store / "CURRENT").exists() and running_server(args.store) is None:
            raise LoadError(
                args.store, "no otsgraph store here (build one with `otsgraph build`, or name another)"
            )
        return open_for_reading(args.store, progress=console.progress)
    layout = _layout(args)
    path = layout.build_dir / "store"
    if not path.exists() and running_server(path) is None:
        console.progress("no built store yet: building first")
        run_build(layout, console.progress, check_shapes=False)
    return open_for_reading(path, progress=console.progress)


def _is_file(text: str) -> bool:
    """Is this argument a file's path? A long inline query is not (and must not crash the check)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL
        return False


def _point_at(text: str, message: str) -> str:
    """The query's line that an "error at L:C" message names, with a caret under the column."""
    import re

    found = re.search(r"error at (\d+):(\d+)", message)
    lines = text.splitlines()
    if not found or not 1 <= int(found.group(1)) <= len(lines):
        return ""
    line, column = int(found.group(1)), int(found.group(2))
    return f"\n  {line:>4} | {lines[line - 1]}\n       | {' ' * max(column - 1, 0)}^"


def cmd_query(args: argparse.Namespace) -> int:
    from otsgraph.core.namespaces import PREFIXES
    from otsgraph.core.results import UnsupportedFormat, render
    from otsgraph.core.store import query

    console = Console(args.quiet)
    text = args.query
    if text.endswith(".rq") or _is_file(text):
        if not _is_file(text):
            return _fail("Input error", f"no such query file: {text}")
        text = Path(text).read_text(encoding="utf-8")
    store = _open_built_store(args, console)
    try:
        # the common prefixes are predeclared, not prepended: a query's own PREFIX overrides one,
        # and error positions stay the user's own lines
        results = (
            query(store, text, prefixes=PREFIXES)
            if not args.asserted_only
            else store.query(
                text,
                prefixes=PREFIXES,
                default_graph=[ox.NamedNode("https://w3id.org/otsgraph/graph/asserted")],
            )
        )
        print(render(results, args.format))
    except SyntaxError as error:
        return _fail("Query syntax error", str(error) + _point_at(text, str(error)))
    except UnsupportedFormat as error:
        return _fail("Format error", str(error))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from otsgraph.core.queries import load
    from otsgraph.core.results import table

    store = _open_built_store(args, Console(args.quiet))
    for name, title in (
        ("graph-sizes", "Triples per graph"),
        ("claims", "Claims"),
        (
            "fact-provenance",
            "Asserted triples by provenance (graph:background holds the facts from other sources)",
        ),
        ("labels-per-language", "Labels per language: the article's and the project's"),
        ("entities-per-class", "Entities per class"),
    ):
        print(f"\n{title}")
        print(
            table(
                store.query(
                    load("stats", name),
                    use_default_graph_as_union=name != "entities-per-class",
                    **({"default_graph": _default_graphs()} if name == "entities-per-class" else {}),
                )
            )
        )
    return EXIT_OK


def _default_graphs() -> list[ox.NamedNode]:
    from otsgraph.core.graphs import DEFAULT_GRAPHS

    return DEFAULT_GRAPHS


def cmd_qc(args: argparse.Namespace) -> int:
    from otsgraph.pipeline.qc import SEVERITIES, run_checks

    store = _open_built_store(args, Console(args.quiet))
    rows = run_checks(store)
    for row in sorted(rows, key=lambda r: (SEVERITIES.index(r.severity), r.check, r.entity)):
        print(f"{row.severity:<5} {row.check:<28} {row.entity}  {row.property}  {row.value}")
    counts = {s: sum(1 for r in rows if r.severity == s) for s in SEVERITIES}
    print("QC: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return EXIT_INVALID if counts["ERROR"] else EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    from otsgraph.pipeline.article import ArticleNotFound, normalised_text
    from otsgraph.pipeline.coverage import coverage, quote_spans

    try:
        text = normalised_text()
    except ArticleNotFound as error:
        return _fail("Input error", str(error))
    store = _open_built_store(args, Console(args.quiet))
    report = coverage(text, quote_spans(store))
    for sentence, hits in report.sentences:
        if args.uncovered and hits:
            continue
        mark = f"{hits:>3}" if hits else "  -"
        print(f"{mark}  [{sentence.start}:{sentence.end}] {sentence.text[:140]}")
    print(
        f"Coverage: {report.covered} of {len(report.sentences)} sentences quoted by a fact "
        f"({report.share:.1%})"
    )
    return EXIT_OK


def cmd_quote(args: argparse.Namespace) -> int:
    from otsgraph.pipeline.article import ArticleNotFound, normalised_text
    from otsgraph.pipeline.skeleton import longest_match, occurrences, skeleton

    try:
        text = normalised_text()
    except ArticleNotFound as error:
        return _fail("Input error", str(error))
    places = occurrences(args.quote, text)
    if not places:
        matched, at = longest_match(args.quote, text)
        where = (
            f" Its first {matched} characters are at offset {at}; it differs from there: "
            f"the article has {text[at + matched : at + matched + 40]!r}."
            if matched
            else ""
        )
        return _fail("Not found", f"the article does not hold this quote (whitespace aside).{where}", 1)
    if not 1 <= args.occurrence <= len(places):
        return _fail("Usage error", f"--occurrence {args.occurrence}: the quote occurs {len(places)} times")
    if len(places) > 1:
        others = ", ".join(f"{p.start}-{p.end}" for p in places[:8]) + (", …" if len(places) > 8 else "")
        print(
            f"Note: the quote occurs {len(places)} times ({others}); this is occurrence "
            f"{args.occurrence} (--occurrence N picks another). A longer quote is unambiguous.",
            file=sys.stderr,
        )
    place = places[args.occurrence - 1]
    if args.offsets:
        print(f"{place.start} {place.end}")
    else:
        print(skeleton(text, place, args.claim, args.lang), end="")
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from otsgraph.core.loading import load_sources
    from otsgraph.pipeline.docs_html import ontology_html

    layout = _layout(args)
    sources = load_sources(layout)
    out = Path(args.output) if args.output else layout.build_dir / "docs" / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ontology_html(sources), encoding="utf-8")
    print(f"wrote {out}")
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from otsgraph.core.bulk import collector_paused
    from otsgraph.core.exit_codes import EXIT_UNREACHABLE
    from otsgraph.core.loading import load_sources
    from otsgraph.core.remote import BackendError, BackendUnreachable, RemoteStore
    from otsgraph.gate.commit_hook import from_environment
    from otsgraph.pipeline.publish import POINTS, LockBusy, SwitchCut, VerificationFailed, publish
    from otsgraph.pipeline.switch import JournalMalformed
    from otsgraph.reasoning.closure import inferred_quads, reason

    console = Console(args.quiet)
    try:
        store = RemoteStore.at(args.to, args.update_url, args.graph_store_url)
    except ValueError as error:
        return _fail("Usage error", str(error))
    with collector_paused():  # (core/bulk.py)
        sources = load_sources(_layout(args))
        console.progress("reasoning over the shipped graph")
        quads = sources.quads() + inferred_quads(reason(sources))
    try:
        done = publish(store, quads, console.progress, from_environment(points=POINTS))
    except SwitchCut as error:
        return _fail("Switch cut", str(error), EXIT_UNREACHABLE)
    except JournalMalformed as error:
        return _fail("Store error", str(error), EXIT_UNREACHABLE)
    except BackendUnreachable as error:
        return _fail("Store unreachable", f"{error}; the published release is unchanged", EXIT_UNREACHABLE)
    except BackendError as error:
        return _fail("Store error", str(error), EXIT_UNREACHABLE)
    except LockBusy as error:
        return _fail("Store busy", f"{error}; the published release is unchanged", EXIT_UNREACHABLE)
    except VerificationFailed as error:
        return _fail("Verification failed", str(error), EXIT_INVALID)
    triples = sum(n for n, _ in done.graphs.values())
    print(
        f"published {len(done.graphs)} graphs ({triples} triples) to {args.to} as {done.release}; "
        f"{len(done.dropped)} graphs of the previous release dropped; every graph verified"
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from otsgraph.server.serve import run_from_arguments

    return run_from_arguments(args, _layout(args))


def parser() -> argparse.ArgumentParser:
    from otsgraph.cli_help import COMMANDS, TOP_DESCRIPTION, TOP_EPILOG

    top = argparse.ArgumentParser(
        prog="otsgraph",
        description=TOP_DESCRIPTION,
        epilog=TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"otsgraph {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        metavar="DIR",
        help="project folder: inputs from DIR/ontology, DIR/data, DIR/shapes, DIR/examples; outputs (the "
        "store, artefacts) in DIR/build. Default: $OTSGRAPH_HOME, else the checkout otsgraph runs from, "
        "else the graph shipped in the package with outputs in ./otsgraph-build (see docs/install.md)",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--store",
        type=Path,
        default=None,
        help="read this on-disk store (default: build/store, built first if missing; refused, exit 2, "
        "while a running `otsgraph serve` holds it)",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, *parents: argparse.ArgumentParser) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common, *parents], **COMMANDS[name].parser_options())

    p = command("build")
    p.add_argument("--no-write", action="store_true", help="check only; write no artefacts")
    p.set_defaults(func=cmd_build)

    from otsgraph.server.serve import add_serve_arguments

    p = command("serve")
    add_serve_arguments(p)
    p.set_defaults(func=cmd_serve)

    from otsgraph.wikidata.command import add_link_arguments
    from otsgraph.wikidata.command import run as run_link

    p = command("link")
    add_link_arguments(p)
    p.set_defaults(func=lambda args: run_link(args, _layout(args)))

    p = command("publish")
    p.add_argument("--to", required=True, metavar="URL", help="the store's SPARQL query endpoint")
    p.add_argument("--update-url", metavar="URL", help="its update endpoint (default: derived, see docs)")
    p.add_argument(
        "--graph-store-url", metavar="URL", help="its Graph Store endpoint (default: derived, or none)"
    )
    p.set_defaults(func=cmd_publish)

    p = command("query", reading)
    p.add_argument("query", help="a SPARQL query, or the path of a .rq file")
    p.add_argument(
        "--format",
        default="table",
        choices=["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld"],
        help="output format (default: table; turtle for CONSTRUCT/DESCRIBE)",
    )
    p.add_argument(
        "--asserted-only", action="store_true", help="query the asserted graph only, no inferences"
    )
    p.set_defaults(func=cmd_query)

    command("stats", reading).set_defaults(func=cmd_stats)
    command("qc", reading).set_defaults(func=cmd_qc)

    p = command("coverage", reading)
    p.add_argument("--uncovered", action="store_true", help="list only sentences no fact quotes")
    p.set_defaults(func=cmd_coverage)

    p = command("quote")
    p.add_argument("quote", help="the article's words, as they stand (line breaks and spaces do not matter)")
    p.add_argument("--claim", metavar="NAME", help="the claim's local name (default: added-<start>)")
    p.add_argument(
        "--lang", choices=["kk", "ru", "en"], help="the quote's language tag (default: from its letters)"
    )
    p.add_argument(
        "--occurrence", type=int, default=1, metavar="N", help="which place, when the quote occurs twice"
    )
    p.add_argument("--offsets", action="store_true", help="print only the start and end offsets")
    p.set_defaults(func=cmd_quote)

    p = command("docs")
    p.add_argument("-o", "--output", help="output file (default: build/docs/index.html)")
    p.set_defaults(func=cmd_docs)

    from otsgraph.gate import commands as w

    for name, add_arguments, run in (
        ("validate", w.add_validate_arguments, w.run_validate),
        ("add", w.add_add_arguments, w.run_add),
        ("log", w.add_log_arguments, w.run_log),
        ("revert", w.add_revert_arguments, w.run_revert),
        ("export", w.add_export_arguments, w.run_export),
        ("reset", w.add_reset_arguments, w.run_reset),
    ):
        p = command(name)
        add_arguments(p)
        p.set_defaults(func=lambda args, run=run: run(args, _layout(args)))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as error:
        return _fail("Load error", str(error))
    except StoreBusy as error:
        return _fail("Store busy", str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader stopped early (`otsgraph log ID | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
