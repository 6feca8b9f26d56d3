"""Reading a submission (a file or a request body) in any RDF format, refusing unsafe input first.

Every check that protects the process runs before the parser sees the bytes: the size limit,
UTF-8, RDF/XML entity declarations (pyoxigraph would expand them), JSON-LD remote contexts
(nothing is fetched). Limits on blank nodes, triples and literal length run while parsing, so a
flood is stopped early. Each refusal is an InputError that says what and where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .loading import FORMATS

#: --input-format names and media types
FORMAT_NAMES: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
EXTENSIONS = {
    **FORMATS,
    ".n3": ox.RdfFormat.TURTLE,
    ".json": ox.RdfFormat.JSON_LD,
    ".xml": ox.RdfFormat.RDF_XML,
}


class InputError(Exception):
    """Input that cannot be read: what is wrong and where (source:line:column when known)."""

    def __init__(self, source: str, message: str, line: int | None = None, column: int | None = None):
        self.source = source
        self.message = message
        self.line = line
        self.column = column
        super().__init__(self.where() + ": " + message)

    def where(self) -> str:
        if self.line is None:
            return self.source
        return f"{self.source}:{self.line}:{self.column or 1}"


@dataclass(frozen=True)
class Limits:
    """How much one submission may hold."""

    max_bytes: int = 10_000_000
    max_quads: int = 200_000
    max_blank_nodes: int = 10_000
    max_literal_chars: int = 100_000


def format_for(source: str, name: str | None = None, media_type: str | None = None) -> ox.RdfFormat:
    """The RDF format from an explicit name, a media type, or the file extension."""
    if name:
        if name.lower() in FORMAT_NAMES:
            return FORMAT_NAMES[name.lower()]
        raise InputError(source, f"unknown input format {name!r}; use one of {', '.join(FORMAT_NAMES)}")
    if media_type:
        found = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())
        if found is None:
            raise InputError(source, f"unsupported media type {media_type!r}")
        return found
    suffix = Path(source).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    raise InputError(
        source,
        f"cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
        f"name it with --input-format ({', '.join(FORMAT_NAMES)})",
    )


def _location(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw[:offset].count(b"\n") + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _check_bytes(raw: bytes, fmt: ox.RdfFormat, source: str, limits: Limits) -> None:
    if len(raw) > limits.max_bytes:
        raise InputError(source, f"the input is {len(raw)} bytes, over the limit of {limits.max_bytes} bytes")
    if not raw.strip():
        raise InputError(source, "the input is empty: there is nothing to check")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _location(raw, error.start)
        raise InputError(source, f"the input is not valid UTF-8 ({error.reason})", line, column) from None
    if fmt == ox.RdfFormat.RDF_XML:
        from .server.safety import ProtocolError, check_rdf_payload

        try:
            check_rdf_payload(raw)
        except ProtocolError as error:
            offset = raw.upper().find(b"<!")
            line, column = _location(raw, max(offset, 0))
            raise InputError(source, error.message, line, column) from None
    if fmt == ox.RdfFormat.JSON_LD:
        _check_json_ld(raw, source)


def _remote_contexts(node) -> list[str]:
    """Every @context given by reference (a URL or a relative path) anywhere in a JSON-LD document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        found.append(item)
                    elif isinstance(item, dict):
                        found += _remote_contexts({k: v for k, v in item.items()})
            elif key == "@import" and isinstance(value, str):
                found.append(value)
            else:
                found += _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item)
    return found


def _check_json_ld(raw: bytes, source: str) -> None:
    try:
        document = json.loads(raw)
        remote = _remote_contexts(document)
    except json.JSONDecodeError as error:
        raise InputError(source, f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        raise InputError(source, "JSON nested too deeply to be read (a nesting flood is refused)") from None
    if remote:
        raise InputError(
            source,
            f"JSON-LD with a remote @context ({remote[0]}) is not accepted: nothing is fetched; "
            "put the context inline",
        )


# "Parser error at line 3 between columns 1 and 5: " / "Parser error between line 3 column 11 and line 4
# column 1: " (pyoxigraph's wording)
_PARSER_POSITION = re.compile(r"^Parser error (at line \d+ )?between [^:]*: ")


def read_submission(
    data: bytes,
    fmt: ox.RdfFormat | str | None,
    source: str,
    limits: Limits | None = None,
    base_iri: str | None = None,
) -> list[ox.Quad]:
    """Parse a submission into quads, after the safety checks; raise InputError on bad input.

    `fmt` is an ox.RdfFormat, a name from FORMAT_NAMES, or None to use the extension of `source`.
    Relative IRIs resolve against `base_iri`; without one they are refused, in files as over HTTP.
    """
    limits = limits or Limits()
    if not isinstance(fmt, ox.RdfFormat):
        fmt = format_for(source, fmt)
    _check_bytes(data, fmt, source, limits)
    base = base_iri  # none: relative IRIs are refused (a file's path would make local IRIs)
    quads: list[ox.Quad] = []
    blanks: set[ox.BlankNode] = set()
    try:
        for quad in ox.parse(data, format=fmt, base_iri=base):
            for term in (quad.subject, quad.object, quad.graph_name):
                if isinstance(term, ox.BlankNode):
                    blanks.add(term)
                elif isinstance(term, ox.Literal) and len(term.value) > limits.max_literal_chars:
                    raise InputError(
                        source,
                        f"a literal of {len(term.value)} characters is over the limit of "
                        f"{limits.max_literal_chars} (subject {quad.subject})",
                    )
            if len(blanks) > limits.max_blank_nodes:
                raise InputError(
                    source, f"more than {limits.max_blank_nodes} blank nodes: a blank-node flood is refused"
                )
            quads.append(quad)
            if len(quads) > limits.max_quads:
                raise InputError(source, f"more than {limits.max_quads} triples: over the limit")
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        if error.lineno:  # the position leads the error already: drop the parser's own copy of it
            message = _PARSER_POSITION.sub("", message, count=1)
        raise InputError(source, f"syntax error: {message}", error.lineno, error.offset) from None
    if not quads:
        raise InputError(source, "the input holds no triples: there is nothing to check")
    return quads


def read_file(path: Path | str, fmt: str | None = None, limits: Limits | None = None) -> list[ox.Quad]:
    """Read one submission file (the size limit is checked before reading it all)."""
    path = Path(path)
    limits = limits or Limits()
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror}") from None
    if size > limits.max_bytes:
        raise InputError(source, f"the file is {size} bytes, over the limit of {limits.max_bytes} bytes")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror}") from None
    return read_submission(raw, format_for(source, fmt), source, limits)
