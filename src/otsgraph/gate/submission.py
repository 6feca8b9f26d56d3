"""Reading a submission (a file or a request body) in any RDF format, refusing unsafe input first.

Every check that protects the process runs before the parser sees the bytes: the size limit,
UTF-8, nesting depth (pyoxigraph's parsers recurse: a deep enough document overflows the stack and
kills the process), RDF/XML entity declarations (pyoxigraph would expand them), JSON-LD remote
contexts (nothing is fetched). Limits on blank nodes, triples and literal length run while parsing,
so a flood is stopped early. Each refusal is an InputError that says what and where.

Blank nodes are renamed apart on reading (`fresh_blank_nodes`): a label like `_:c` names a node
of one document only, so two submissions that both say `_:c` describe two nodes.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.loading import FORMATS

#: XML that declares a DTD or entities is refused before any parser sees it: here, and by the server
#: for every RDF body (server/execution/safety.py)
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
DTD_REFUSAL = "XML document type declarations and entities are not accepted (they can expand without bound)"


def declares_dtd(raw: bytes) -> bool:
    """Does this XML declare a document type or an entity?"""
    return _DTD.search(raw) is not None


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


#: How deeply a document may nest brackets or elements. pyoxigraph 0.5.13 overflows an 8 MB stack
#: (SIGSEGV, the whole process) at about 3,200 nested JSON-LD objects and 18,000 nested RDF 1.2
#: triple terms `<<( … )>>` (Turtle, TriG, N-Triples, N-Quads); RDF/XML takes quadratic time
#: (3 s at 16,000 nested elements, 3 min at 64,000). A real document nests a few levels.
MAX_DEPTH = 128


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
    max_depth: int = MAX_DEPTH


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
    check_nesting(raw, fmt, source, limits.max_depth)
    if fmt == ox.RdfFormat.RDF_XML and declares_dtd(raw):
        line, column = _location(raw, max(raw.upper().find(b"<!"), 0))
        raise InputError(source, DTD_REFUSAL, line, column)
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
    if remote:
        raise InputError(
            source,
            f"JSON-LD with a remote @context ({remote[0]}) is not accepted: nothing is fetched; "
            "put the context inline",
        )


# Tokens that open or close a level, and those inside which a bracket does not count (strings, IRIs,
# comments, escapes). Every alternative matches whatever follows its first character (an unclosed
# string runs to the end), so a scan is linear: no backtracking on hostile input.
_TURTLE_TOKENS = re.compile(
    rb""""{3}(?:[^"\\]|\\[\s\S]?|"(?!""))*(?:"{3}|\Z)"""  # """long string"""
    rb"""|'{3}(?:[^'\\]|\\[\s\S]?|'(?!''))*(?:'{3}|\Z)"""  # '''long string'''
    rb"""|"(?:[^"\\\n\r]|\\[^\n\r]?)*"?"""  # "string"
    rb"""|'(?:[^'\\\n\r]|\\[^\n\r]?)*'?"""  # 'string'
    rb"|<<|>>"  # reified triple or triple term: an IRI never starts with <
    rb"""|<[^<>"{}|^`\\\x00-\x20]*>?"""  # <IRI>
    rb"|\#[^\n\r]*"  # comment
    rb"|\\[\s\S]?"  # an escape in a prefixed name (ex:a\#b)
    rb"|[\[\](){}]"
)
_JSON_TOKENS = re.compile(rb""""(?:[^"\\]|\\[\s\S]?)*"?|[\[\]{}]""")
_XML_TOKENS = re.compile(
    rb"<!--[\s\S]*?(?:-->|\Z)"
    rb"|<!\[CDATA\[[\s\S]*?(?:\]\]>|\Z)"
    rb"|<[?!][^>]*>?"  # processing instruction, declaration
    rb"|</[^>]*>?"  # end tag
    rb"""|<(?:"[^"]*"?|'[^']*'?|[^>"'])*>?"""  # start tag (a > may stand in an attribute value)
)
_TURTLE_OPENERS = (b"[", b"(", b"{", b"<<")
_TURTLE_CLOSERS = (b"]", b")", b"}", b">>")


@dataclass(frozen=True)
class _Nesting:
    tokens: re.Pattern[bytes]
    openers: tuple[bytes, ...]  # a document with no more of these than the limit needs no scan
    what: str  # for the message


_TURTLE_LIKE = _Nesting(
    _TURTLE_TOKENS,
    _TURTLE_OPENERS,
    "blank-node property lists [ ], collections ( ), triple terms << >> and graphs { }",
)
_NESTING = {
    ox.RdfFormat.JSON_LD: _Nesting(_JSON_TOKENS, (b"{", b"["), "JSON objects and arrays"),
    ox.RdfFormat.RDF_XML: _Nesting(_XML_TOKENS, (b"<",), "XML elements"),
}


def nesting_depth(raw: bytes, fmt: ox.RdfFormat, limit: int) -> tuple[int, int | None]:
    """The deepest nesting of the document, and the offset where it first goes over `limit` (None
    when it does not): brackets for Turtle, TriG, N-Triples, N-Quads (and N3) and JSON-LD, elements
    for RDF/XML. A bracket inside a string, an IRI or a comment does not count."""
    nesting = _NESTING.get(fmt, _TURTLE_LIKE)
    if sum(raw.count(opener) for opener in nesting.openers) <= limit:
        return 0, None  # cannot nest deeper than it has openers (the usual case: no scan)
    xml = fmt == ox.RdfFormat.RDF_XML
    depth = deepest = 0
    over: int | None = None
    for match in nesting.tokens.finditer(raw):
        token = match.group()
        if xml:
            opens = token[1:2] not in (b"/", b"?", b"!") and not token.endswith(b"/>")
            closes = token.startswith(b"</")
        else:
            opens = token in nesting.openers
            closes = token in _TURTLE_CLOSERS or token in (b"}", b"]")
        if opens:
            depth += 1
            if depth > deepest:
                deepest = depth
                if over is None and depth > limit:
                    over = match.start()
        elif closes and depth:
            depth -= 1
    return deepest, over


def check_nesting(raw: bytes, fmt: ox.RdfFormat, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a document nested deeper than `limit`, before any parser sees it: the parsers recurse,
    and a deep enough document overflows the stack, which kills the process (no exception)."""
    deepest, over = nesting_depth(raw, fmt, limit)
    if over is None:
        return
    what = _NESTING.get(fmt, _TURTLE_LIKE).what
    line, column = _location(raw, over)
    raise InputError(
        source,
        f"nested too deeply: {deepest} levels of {what}, over the limit of {limit} "
        f"(first passed here); a nesting flood is refused before parsing",
        line,
        column,
    )


def fresh_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with each blank node renamed apart from every other submission's and the store's.

    A blank node label is local to its document (RDF 1.1 Concepts §3.4), but pyoxigraph keeps the
    label as the node's id, in the parse and in the store: without this, `_:c` of two submissions
    would be one node holding both. The new id keeps the label readable in reports (`_:c` becomes
    `_:c_<16 hex>`, one random suffix per submission); it is kept in the store and in the change
    log, so a revert names the same nodes."""
    suffix = secrets.token_hex(8)
    renamed: dict[ox.BlankNode, ox.BlankNode] = {}

    def fresh(term):
        if isinstance(term, ox.BlankNode):
            new = renamed.get(term)
            if new is None:
                new = renamed[term] = ox.BlankNode(f"{term.value}_{suffix}")
            return new
        if isinstance(term, ox.Triple):  # an RDF 1.2 triple term
            return ox.Triple(fresh(term.subject), term.predicate, fresh(term.object))
        return term

    return [ox.Quad(fresh(q.subject), q.predicate, fresh(q.object), fresh(q.graph_name)) for q in quads]


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
    return fresh_blank_nodes(quads)


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
