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

from . import __version__
from .loading import Layout, LoadError
from .store import StoreBusy

EXIT_OK, EXIT_INVALID, EXIT_INPUT = 0, 1, 2


class Console:
    """Progress on stderr unless --quiet; results on stdout."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def progress(self, message: str) -> None:
        if not self.quiet:
            print(f"… {message}", file=sys.stderr, flush=True)


def _layout(args: argparse.Namespace) -> Layout:
    return Layout(Path(args.root)) if args.root else Layout.default()


def _fail(kind: str, detail: str, code: int = EXIT_INPUT) -> int:
    print(f"{kind}: {detail}", file=sys.stderr)
    return code


def cmd_build(args: argparse.Namespace) -> int:
    from .build import run_build

    console = Console(args.quiet)
    layout = _layout(args)
    result = run_build(layout, console.progress, write=not args.no_write)
    closure = result.reasoned.closure
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
    print(f"  inconsistencies      {len(closure.inconsistencies)}")
    print("  timings (s)          " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
    for path in result.artefacts:
        print(f"  wrote {path}")
    failed = False
    for problem in closure.inconsistencies:
        failed = True
        print(f"Inconsistency: {problem.message}", file=sys.stderr)
        for t in problem.triples:
            print(f"    {t[0]} {t[1]} {t[2]}", file=sys.stderr)
    if report is not None and report.violations:
        failed = True
        from .report_text import format_results

        print("Validation failed:", file=sys.stderr)
        print(format_results(report.results), file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK


def _open_built_store(args: argparse.Namespace, console: Console) -> ox.Store:
    """The built store, read-only, as recovery leaves it; StoreBusy (exit 2, naming the server) when a
    running `otsgraph serve` holds it: Oxigraph leaves reading a store another process writes undefined."""
    from .build import run_build
    from .serving import running_server
    from .store import open_for_reading

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


def _declares_prefixes(text: str) -> bool:
    """Does the query declare a prefix itself? The word in a comment or a string does not count."""
    from .sparql_tokens import ScanError, tokens

    try:
        return any(kind == "word" and value.upper() == "PREFIX" for kind, value, _ in tokens(text))
    except ScanError:  # the engine reports the syntax error with its position
        return "PREFIX" in text.upper()


def cmd_query(args: argparse.Namespace) -> int:
    from .namespaces import sparql_prefixes
    from .results import UnsupportedFormat, render
    from .store import query

    console = Console(args.quiet)
    text = args.query
    if text.endswith(".rq") or _is_file(text):
        if not _is_file(text):
            return _fail("Input error", f"no such query file: {text}")
        text = Path(text).read_text(encoding="utf-8")
    if not _declares_prefixes(text):
        text = sparql_prefixes() + text
    store = _open_built_store(args, console)
    try:
        results = (
            query(store, text, union_default=not args.asserted_only)
            if not args.asserted_only
            else store.query(text, default_graph=[ox.NamedNode("https://w3id.org/otsgraph/graph/asserted")])
        )
        print(render(results, args.format))
    except SyntaxError as error:
        return _fail("Query syntax error", str(error))
    except UnsupportedFormat as error:
        return _fail("Format error", str(error))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from .queries import load
    from .results import table

    store = _open_built_store(args, Console(args.quiet))
    for name, title in (
        ("graph-sizes", "Triples per graph"),
        ("claims", "Claims"),
        ("fact-provenance", "Asserted facts with a quote"),
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
    from .store import DEFAULT_GRAPHS

    return DEFAULT_GRAPHS


def cmd_qc(args: argparse.Namespace) -> int:
    from .qc import SEVERITIES, run_checks

    store = _open_built_store(args, Console(args.quiet))
    rows = run_checks(store)
    for row in sorted(rows, key=lambda r: (SEVERITIES.index(r.severity), r.check, r.entity)):
        print(f"{row.severity:<5} {row.check:<28} {row.entity}  {row.property}  {row.value}")
    counts = {s: sum(1 for r in rows if r.severity == s) for s in SEVERITIES}
    print("QC: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return EXIT_INVALID if counts["ERROR"] else EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    from .article import ArticleNotFound, normalised_text
    from .coverage import coverage, quote_spans

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


def cmd_docs(args: argparse.Namespace) -> int:
    from .docs_html import ontology_html
    from .loading import load_sources

    layout = _layout(args)
    sources = load_sources(layout)
    out = Path(args.output) if args.output else layout.build_dir / "docs" / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ontology_html(sources), encoding="utf-8")
    print(f"wrote {out}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .server.serve import run_from_arguments

    return run_from_arguments(args, _layout(args))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="otsgraph",
        description="Build, query and check the Organization of Turkic States knowledge graph.",
    )
    top.add_argument("--version", action="version", version=f"otsgraph {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", help="project folder with ontology/, data/, shapes/ (default: this checkout)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build", parents=[common], help="load, validate, reason; write build/ and print a summary"
    )
    p.add_argument("--no-write", action="store_true", help="check only; write no artefacts")
    p.set_defaults(func=cmd_build)

    from .server.serve import add_serve_arguments

    p = sub.add_parser(
        "serve", parents=[common], help="serve the graph: SPARQL endpoint and pages (main job)"
    )
    add_serve_arguments(p)
    p.set_defaults(func=cmd_serve)

    from .wikidata.command import add_link_arguments
    from .wikidata.command import run as run_link

    p = sub.add_parser(
        "link", parents=[common], help="link entities to Wikidata; --check compares facts with Wikidata's"
    )
    add_link_arguments(p)
    p.set_defaults(func=lambda args: run_link(args, _layout(args)))

    p = sub.add_parser("query", parents=[common], help="run SPARQL (text or a .rq file) on the built graph")
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

    p = sub.add_parser("stats", parents=[common], help="summarise the built graph")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("qc", parents=[common], help="run the quality checks (exit 1 on ERROR rows)")
    p.set_defaults(func=cmd_qc)

    p = sub.add_parser("coverage", parents=[common], help="which sentences of the article no fact quotes")
    p.add_argument("--uncovered", action="store_true", help="list only sentences no fact quotes")
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("docs", parents=[common], help="write the ontology's HTML documentation")
    p.add_argument("-o", "--output", help="output file (default: build/docs/index.html)")
    p.set_defaults(func=cmd_docs)

    from . import write_cli as w

    for name, add_arguments, run, text in (
        ("validate", w.add_validate_arguments, w.run_validate, "check RDF files against the graph"),
        ("add", w.add_add_arguments, w.run_add, "validate RDF files, then add them to the store atomically"),
        ("log", w.add_log_arguments, w.run_log, "list the accepted changes (when, who, what)"),
        ("revert", w.add_revert_arguments, w.run_revert, "undo an accepted change by a new change"),
        ("export", w.add_export_arguments, w.run_export, "write the accepted additions as a file"),
        ("reset", w.add_reset_arguments, w.run_reset, "drop every addition and the change log"),
    ):
        p = sub.add_parser(name, parents=[common], help=text)
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
