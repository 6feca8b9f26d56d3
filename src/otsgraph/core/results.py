"""Writing SPARQL results for people (a table) and for programs (JSON, CSV, TSV, Turtle)."""

from __future__ import annotations

import io

import pyoxigraph as ox

from .namespaces import PREFIXES, prefixed

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


class UnsupportedFormat(ValueError):
    """The results cannot be written in the requested format."""


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A compact rendering: prefixed names for IRIs, the lexical form (and @lang) for literals.

    >>> short(ox.NamedNode("https://w3id.org/otsgraph/resource/astana"))
    'res:astana'
    >>> short(ox.Literal("Астана", language="kk"))
    'Астана@kk'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return prefixed(term.value) or f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return f"{term.value}@{term.language}" if term.language else term.value


def table(results: ox.QuerySolutions, max_width: int = 60) -> str:
    """A plain-text table of SELECT results."""
    names = [v.value for v in results.variables]
    rows = [[short(solution[n]) for n in names] for solution in results]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def render(results, fmt: str = "table") -> str:
    """Render any query result (solutions, boolean, triples) in a named format."""
    if isinstance(results, ox.QueryBoolean):
        if fmt in ("table", "text"):
            return "true" if bool(results) else "false"
        if fmt not in RESULT_FORMATS:
            raise UnsupportedFormat(f"an ASK result cannot be written as {fmt}")
        return results.serialize(format=RESULT_FORMATS[fmt]).decode()
    if isinstance(results, ox.QuerySolutions):
        if fmt in ("table", "text"):
            return table(results)
        if fmt not in RESULT_FORMATS:
            raise UnsupportedFormat(
                f"SELECT results cannot be written as {fmt}; use table, json, csv, tsv or xml"
            )
        return results.serialize(format=RESULT_FORMATS[fmt]).decode()
    # CONSTRUCT / DESCRIBE
    fmt = "turtle" if fmt in ("table", "text") else fmt
    if fmt not in GRAPH_FORMATS:
        raise UnsupportedFormat(
            f"graph results cannot be written as {fmt}; use turtle, ntriples, jsonld or xml"
        )
    buffer = io.BytesIO()
    ox.serialize(results, buffer, GRAPH_FORMATS[fmt], prefixes=PREFIXES if fmt == "turtle" else None)
    return buffer.getvalue().decode()
