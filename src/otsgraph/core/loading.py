"""Reading the shipped files into the dataset's named graphs, with located parse errors."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from .interning import Encoded, Interner
from .namespaces import Graphs

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class LoadError(Exception):
    """A file that cannot be read, located as file:line:column."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.detail = message
        where = self.path if line is None else f"{self.path}:{line}:{column or 1}"
        super().__init__(f"{where}: {message}")


HOME_ENV = "OTSGRAPH_HOME"
# the curated inputs as the wheel ships them (pyproject.toml: [tool.hatch.build.targets.wheel.force-include])
PACKAGE = Path(__file__).resolve().parents[1]
SHIPPED = PACKAGE / "_shipped"
# where an installed package (no --root, no $OTSGRAPH_HOME, no checkout) writes: in the current folder
WORK_FOLDER = "otsgraph-build"
INPUTS = ("ontology", "data", "shapes")


@dataclass(frozen=True)
class Layout:
    """Where the project's inputs and outputs are (docs/install.md).

    `root` holds the read-only inputs: ontology/, data/, shapes/ and examples/. `output` is the
    folder for what commands write (the store, the artefacts, docs, caches); None means
    `root/build`. `origin` says how the root was chosen, for messages.

    >>> Layout(Path("/p")).build_dir
    PosixPath('/p/build')
    >>> Layout(Path("/site/otsgraph/_shipped"), output=Path("/here/otsgraph-build")).build_dir
    PosixPath('/here/otsgraph-build')
    """

    root: Path
    output: Path | None = None
    origin: str = "given"  # "--root", "$OTSGRAPH_HOME", "checkout", "package" or "given" (by code)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def build_dir(self) -> Path:
        return self.output if self.output is not None else self.root / "build"

    @property
    def queries_dir(self) -> Path:
        return Path(__file__).resolve().parents[1] / "queries"

    @property
    def examples_dir(self) -> Path:
        return self.root / "examples"

    @property
    def shipped(self) -> bool:
        """Are the inputs the package's own copy (read-only: nothing may be written under root)?"""
        return self.origin == "package"

    @classmethod
    def resolve(cls, root: str | Path | None = None) -> Layout:
        """The layout of a command: --root DIR when given (inputs in DIR, outputs in DIR/build),
        else Layout.default()."""
        if root:
            return cls(Path(root), origin="--root")
        return cls.default()

    @classmethod
    def default(cls) -> Layout:
        """$OTSGRAPH_HOME (inputs there, outputs in its build/); else the checkout this package runs
        from (inputs at its top, outputs in its build/); else the inputs shipped in the package,
        with outputs in ./otsgraph-build of the current folder, never in site-packages."""
        env = os.environ.get(HOME_ENV)
        if env:
            return cls(Path(env), origin="$" + HOME_ENV)
        checkout = PACKAGE.parents[1]  # src/otsgraph -> the repository, when running from one
        if (checkout / "ontology").is_dir() and (checkout / "pyproject.toml").is_file():
            return cls(checkout, origin="checkout")
        return cls(SHIPPED, output=Path.cwd() / WORK_FOLDER, origin="package")


class MissingInputs(LoadError):
    """A root without the graph's inputs: never a silent empty graph (the command line exits 2)."""

    def __init__(self, layout: Layout, missing: list[str]):
        self.missing = missing
        where = {
            "--root": " (given by --root)",
            "$" + HOME_ENV: f" (from ${HOME_ENV})",
            "checkout": " (the checkout this package runs from)",
            "package": " (the copy shipped in the package: this installation is incomplete, reinstall it)",
        }.get(layout.origin, "")
        names = [f"{name}/" for name in missing]
        names = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        super().__init__(layout.root, "nothing to load")
        self.args = (
            f"no {names} (with .ttl or .trig files) under {layout.root}{where}: point --root DIR or "
            f"${HOME_ENV} at a folder that holds ontology/, data/ and shapes/ (a clone of the otsgraph "
            "repository), or give neither to use the graph shipped with the package; see docs/install.md",
        )

    def __str__(self) -> str:
        return self.args[0]


def parse_file(path: Path, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """Parse one RDF file; raise LoadError with file:line:column on bad input."""
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(path, f"unknown RDF file extension {path.suffix!r}")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror}") from error
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise LoadError(path, "the file is not valid UTF-8", line, column) from error
    try:
        return list(ox.parse(raw, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        raise LoadError(path, message, error.lineno, error.offset) from error


class Statement(NamedTuple):
    """A triple of the shipped files: a plain tuple (what reasoning and validation read, with no
    copy) that also reads as `ox.Triple` does (.subject, .predicate, .object)."""

    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.BlankNode | ox.Literal


_statement = Statement._make


class _Graphs(defaultdict):
    """Sources.graphs: a graph set anew drops its encoding, which encoded_triples then makes again
    (for code that fills the graphs itself, as tests do)."""

    def __init__(self, encoded: dict, graphs: dict) -> None:
        super().__init__(list, graphs)
        self._encoded = encoded

    def __setitem__(self, name: ox.NamedNode, triples: list[Statement]) -> None:
        self._encoded.pop(name, None)
        super().__setitem__(name, triples)

    def __delitem__(self, name: ox.NamedNode) -> None:
        self._encoded.pop(name, None)
        super().__delitem__(name)


@dataclass
class Sources:
    """The shipped files, read into the dataset's graphs."""

    graphs: dict[ox.NamedNode, list[Statement]] = field(default_factory=lambda: defaultdict(list))
    claim_graphs: dict[ox.NamedNode, list[Statement]] = field(default_factory=lambda: defaultdict(list))
    shapes: list[Statement] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: the terms of `graphs` as ids (core/interning.py), and each graph's triples so encoded, in the
    #: same order as in `graphs`: what the build reasons and validates over
    terms: Interner = field(default_factory=Interner)
    encoded: dict[ox.NamedNode, list[Encoded]] = field(default_factory=lambda: defaultdict(list))

    def triples(self, *names: ox.NamedNode) -> list[Statement]:
        """The triples of these graphs (tuples: (subject, predicate, object))."""
        return [t for name in names for t in self.graphs.get(name, ())]

    def __post_init__(self) -> None:
        self.graphs = _Graphs(self.encoded, self.graphs)

    def encoded_triples(self, *names: ox.NamedNode) -> list[Encoded]:
        """The triples of these graphs as ids (`terms` decodes them). load_sources encodes each graph
        as it reads it; a graph set in `graphs` by other code is encoded here, on first use (a list
        changed in place is noticed by its length only)."""
        out: list[Encoded] = []
        for name in names:
            triples = self.graphs.get(name, ())
            encoded = self.encoded.get(name)
            if encoded is None or len(encoded) != len(triples):
                encoded = self.encoded[name] = [self.terms.encode(t) for t in triples]
            out += encoded
        return out

    def count(self, *names: ox.NamedNode) -> int:
        return sum(len(self.graphs.get(name, ())) for name in names)

    def quads(self) -> list[ox.Quad]:
        """Every quad of the shipped dataset: the fixed graphs and each claim graph."""
        out = [ox.Quad(t.subject, t.predicate, t.object, g) for g, ts in self.graphs.items() for t in ts]
        out += [
            ox.Quad(t.subject, t.predicate, t.object, g) for g, ts in self.claim_graphs.items() for t in ts
        ]
        return out


def _node(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _files(folder: Path, *suffixes: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def _make_disjoint(
    sources: Sources, held: dict, graph: ox.NamedNode, before: tuple[ox.NamedNode, ...]
) -> None:
    """Drop from `graph` the triples an earlier graph already holds (`held`: each graph's triples,
    without repeats, as a dict from the encoded triple to the triple: a set that keeps the files'
    order, keyed by ints, which hash at once).

    The default graph is the union of the fixed graphs, and SPARQL would count a triple
    held by two of them twice. A background fact the article also states is not background;
    its background claim graph still records it.
    """
    own = held.get(graph, {})
    drop = set().union(*(own.keys() & held[g].keys() for g in before if g in held))
    if drop:
        own = held[graph] = {k: t for k, t in own.items() if k not in drop}
    if drop or len(own) != len(sources.encoded.get(graph, ())):  # (else the lists hold just these)
        sources.graphs[graph] = list(own.values())
        sources.encoded[graph] = list(own)


def load_sources(layout: Layout) -> Sources:
    """Read ontology/, data/ and shapes/ into their graphs (see docs/modelling.md)."""
    from .namespaces import ENTITY_LABELS_CLAIM

    sources = Sources()
    ontology, asserted = _node(Graphs.ONTOLOGY), _node(Graphs.ASSERTED)
    background, provenance = _node(Graphs.BACKGROUND), _node(Graphs.PROVENANCE)
    links, labels = _node(Graphs.LINKS), _node(Graphs.LABELS)
    labels_claim = _node(ENTITY_LABELS_CLAIM)
    default_graph_type = ox.DefaultGraph

    def add(path: Path, default_graph: ox.NamedNode, claims_into: ox.NamedNode | None) -> None:
        sources.files.append(path)
        quads = parse_file(path)
        into_default = sources.graphs[default_graph]
        also_claim = sources.claim_graphs[labels_claim] if default_graph == asserted else None
        into_claims = sources.graphs[claims_into] if claims_into is not None else None
        encoded_default = sources.encoded[default_graph]
        encoded_claims = sources.encoded[claims_into] if claims_into is not None else None
        claims = sources.claim_graphs
        known, intern = sources.terms.ids.get, sources.terms.id
        for q in quads:  # the loop every shipped triple passes: kept lean
            triple = _statement((q.subject, q.predicate, q.object))
            s, p, o = triple
            if (i := known(s)) is None:
                i = intern(s)
            if (j := known(p)) is None:
                j = intern(p)
            if (k := known(o)) is None:
                k = intern(o)
            key = (i, j, k)
            graph = q.graph_name
            if type(graph) is default_graph_type:
                into_default.append(triple)
                encoded_default.append(key)
                if also_claim is not None:
                    also_claim.append(triple)
            elif into_claims is None:
                raise LoadError(path, f"named graph {graph} is not allowed in this file")
            else:
                claims[graph].append(triple)
                into_claims.append(triple)
                encoded_claims.append(key)

    for path in _files(layout.ontology_dir, ".ttl"):
        add(path, ontology, None)
    for path in _files(layout.data_dir / "entities", ".ttl"):
        add(path, asserted, None)
    for path in _files(layout.data_dir / "facts", ".trig"):
        add(path, provenance, asserted)
    for path in _files(layout.data_dir / "background", ".trig"):
        add(path, provenance, background)
    for path in _files(layout.data_dir / "links", ".ttl", ".trig"):
        add(path, links, None)
    for path in _files(layout.data_dir / "labels", ".ttl"):
        add(path, labels, None)  # the project's labels and translations, not the article's wording
    for path in sorted(layout.data_dir.glob("*.ttl")) if layout.data_dir.is_dir() else []:
        add(path, provenance, None)
    for table in (sources.graphs, sources.claim_graphs, sources.encoded):  # (a file may have given a
        for name in [name for name, triples in table.items() if not triples]:  # graph nothing)
            del table[name]
    held = {
        graph: dict(zip(sources.encoded[graph], triples, strict=True))
        for graph, triples in sources.graphs.items()
    }
    for graph in list(sources.graphs):
        _make_disjoint(sources, held, graph, ())
    _make_disjoint(sources, held, asserted, (ontology,))
    _make_disjoint(sources, held, background, (asserted, ontology))
    _make_disjoint(sources, held, provenance, (asserted, ontology, background))
    _make_disjoint(sources, held, labels, (asserted, ontology, background, provenance))
    for path in _files(layout.shapes_dir, ".ttl"):
        sources.files.append(path)
        sources.shapes += [_statement((q.subject, q.predicate, q.object)) for q in parse_file(path)]
    _check_inputs(layout, sources)
    return sources


def _check_inputs(layout: Layout, sources: Sources) -> None:
    """A root that gave no ontology or no data is an error, not an empty graph. (A project with
    both but no shapes, as some tests make, is let through: it is a graph, unvalidated.)"""
    read = {name: False for name in INPUTS}
    for path in sources.files:
        for name in INPUTS:
            if (layout.root / name) in path.parents:
                read[name] = True
    if not (read["ontology"] and read["data"]):
        raise MissingInputs(layout, [name for name in INPUTS if not read[name]])
