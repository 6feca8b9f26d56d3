"""Hypothesis strategies for tests/server/execution/test_fuzz.py: HTTP requests to every route of
`otsgraph serve`.

Each strategy draws a `Sent` request (method, target, headers, body as bytes), so a failing example
prints as a literal that can be pasted into an @example. The text is grammar-ish: SPARQL queries and
updates, RDF documents in every format the server reads, reconciliation JSON, built from fragments
and then bent (truncated, junk inserted, nested deeply, invalid UTF-8 in the percent-encoding).
Every IRI a request names is on loopback, a URN or unresolvable, so that nothing could reach out
even if the server tried (SERVICE and LOAD are refused anyway).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

TOKEN = "fuzz-token-1"  # the update token of both servers (name "fuzz")
BASE = "https://w3id.org/otsgraph/"


@dataclass(frozen=True)
class Sent:
    """One HTTP request: `target` is the request target as sent (already percent-encoded)."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    server: str = "served"  # which server: "served" (the shipped graph, on disk) or "empty"
    raw: bytes | None = field(default=None)  # the whole request as bytes, for raw sockets

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[-1] if found else None


# ------------------------------------------------------------------------------------------ text

ODD = [
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\u2028",
    "é",
    "ǅ",
    "𝔘",
    "😀",
    "\u0301",
    "\\",
    '"',
    "'",
    "<",
    ">",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "!",
    "^",
    "|",
    "#",
    "%",
    "?",
    "&",
    "=",
    "+",
    ";",
    ".",
    ",",
    ":",
    "@",
    "$",
    "*",
    "/",
    "`",
    "\x7f",
    "\x1b",
    "қ",
    "Ə",
]
# SPARQL / Turtle escapes, surrogates and out-of-range code points included
ESCAPES = [
    "\\u0000",
    "\\uD800",
    "\\uDFFF",
    "\\uD83D\\uDE00",
    "\\U0010FFFF",
    "\\U00110000",
    "\\UFFFFFFFF",
    "\\u00",
    "\\x41",
    "\\n",
    "\\r",
    "\\'",
    '\\"',
    "\\\\",
    "\\",
    "\\u0022",
    "\\u003E",
    "\\uFFFE",
]
# percent-encodings that are not UTF-8 (an encoded surrogate, an overlong form, a lone byte) or not %XX
BAD_PERCENT = [
    "%FF",
    "%C3%28",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%C0%AF",
    "%80",
    "%",
    "%G1",
    "%0",
    "%00",
    "%0D%0A",
]

odd_char = st.one_of(st.sampled_from([c for c in ODD if len(c) == 1]), st.characters(codec="utf-8"))
odd_text = st.lists(st.one_of(odd_char, st.just("\r\n")), max_size=16).map("".join)
escaped_text = st.lists(st.one_of(odd_char, st.sampled_from(ESCAPES), st.just("a")), max_size=12).map("".join)


def rarely(draw: st.DrawFn, odds: int) -> bool:
    """True once in `odds + 1` draws (not `integers(0, n) == 0`: Hypothesis favours 0, its simplest value)."""
    return draw(st.sampled_from([False] * odds + [True]))


def percent(text: str, safe: str = "") -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe=safe)


@st.composite
def percent_text(draw: st.DrawFn, text: str) -> str:
    """`text` percent-encoded, now and then with a sequence that is not UTF-8 (or not %XX) put in."""
    pieces = [percent(c) for c in text]
    if rarely(draw, 12):
        pieces.insert(draw(st.integers(0, len(pieces))), draw(st.sampled_from(BAD_PERCENT)))
    return "".join(pieces)


# ----------------------------------------------------------------------------------------- terms

IRIS = [
    "<urn:x:a>",
    "<urn:x:b>",
    "<http://127.0.0.1:9/x>",
    "<http://localhost:9/y#z>",
    "<>",
    "<#frag>",
    "<relative/path>",
    "<../../up>",
    "<//127.0.0.1:9/>",
    "<urn:x:\\u0020space>",
    "<urn:x:\\uD800>",
    "<urn:x:\\U0010FFFF>",
    "<urn:x:a b>",
    "<urn:x:<>",
    "<urn:x:{}>",
    "<http://[::1]:9/>",
    "<http://user:pw@127.0.0.1:9/>",
    "<file:///etc/passwd>",
    "<javascript:alert(1)>",
    "<urn:x:\x00>",
    "<https://w3id.org/otsgraph/resource/kazakhstan>",
    "<https://w3id.org/otsgraph/ontology/State>",
    "<https://w3id.org/otsgraph/graph/inferred>",
    "<https://w3id.org/otsgraph/graph/asserted>",
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
    "<urn:x:" + "a" * 3000 + ">",
]
PNAMES = [
    "res:kazakhstan",
    "res:turkey",
    "ots:State",
    "ots:name",
    "rdfs:label",
    "rdf:type",
    "owl:sameAs",
    "skos:exactMatch",
    "xsd:string",
    "dct:source",
    "graph:inferred",
    "ex:x",
    "undeclared:x",
    ":local",
    "res:",
    "ots:a.b",
    "ots:a.",
    "ots:-x",
    "rdfs:%41b",
    "rdfs:\\~x",
    "res:é",
    "res:1abc",
    "_:b0",
    "a",
]
VARIABLES = ["?s", "?p", "?o", "?x", "$y", "?g", "?é", "?_1", "?", "$", "??x", "?s?p", "?" + "v" * 300]
LITERAL_SUFFIXES = [
    "",
    "",
    "@en",
    "@kk-Cyrl",
    "@",
    "@-x",
    "@en--ltr",
    "^^xsd:integer",
    "^^<urn:x:dt>",
    "^^xsd:dateTime",
    "^^rdf:langString",
    "^^xsd:boolean",
    "^^",
    "@ru^^xsd:string",
]
NUMBERS = ["1", "-0", ".5", "1e999", "1E-999", "0x1", "+1.", "true", "false", "NaN", "INF", "1" * 40, "00"]

CLEAN_IRIS = [
    "<urn:x:a>",
    "<urn:x:b>",
    "res:kazakhstan",
    "res:turkey",
    "ots:State",
    "ots:City",
    "rdfs:label",
    "rdf:type",
    "owl:sameAs",
    "skos:exactMatch",
    "<https://w3id.org/otsgraph/graph/asserted>",
]
CLEAN_LITERALS = [
    '"Kazakhstan"@en',
    '"x"',
    "1",
    "2.5",
    "true",
    '"2014-06-05"^^xsd:date',
    '"Қазақстан"@kk',
    '""',
]
clean_iri = st.sampled_from(CLEAN_IRIS)
odd_iri = st.one_of(st.sampled_from(IRIS), st.builds(lambda t: f"<urn:x:{t}>", escaped_text))
pname = st.one_of(
    st.sampled_from(PNAMES),
    st.builds(lambda p, t: f"{p}:{t}", st.sampled_from(["res", "ots", "rdfs", "x", ""]), odd_text),
)
odd_literal = st.one_of(
    st.builds(lambda b, s: f'"{b}"{s}', escaped_text, st.sampled_from(LITERAL_SUFFIXES)),
    st.builds(lambda b, s: f"'''{b}'''{s}", escaped_text, st.sampled_from(LITERAL_SUFFIXES)),
    st.builds(lambda n, c: f'"{c * n}"', st.integers(500, 60_000), st.sampled_from(["a", "é", "😀", "\\n"])),
    st.sampled_from(NUMBERS),
)
clean_variable = st.sampled_from(VARIABLES[:6])
variable = st.one_of(clean_variable, clean_variable, st.sampled_from(VARIABLES))
blank = st.sampled_from(["[]", "_:b0", "_:", "_:é", "()", "( 1 <urn:x:a> )", "[ a ots:State ]"])
# mostly terms that parse (so that most queries run and answer), now and then odd ones
iri = st.one_of(clean_iri, clean_iri, clean_iri, odd_iri, pname)
literal = st.one_of(st.sampled_from(CLEAN_LITERALS), st.sampled_from(CLEAN_LITERALS), odd_literal)
term = st.one_of(clean_variable, clean_variable, iri, literal, blank)
constant = st.one_of(iri, literal)

OPERATORS = ["=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/"]
ODD_OPERATORS = ["IN", "NOT IN", "", "!", "=="]
FUNCTIONS = [
    "STR",
    "LANG",
    "REGEX",
    "CONCAT",
    "STRLEN",
    "SUBSTR",
    "IRI",
    "BNODE",
    "ABS",
    "COALESCE",
    "IF",
    "sameTerm",
    "isIRI",
    "xsd:integer",
    "ENCODE_FOR_URI",
    "REPLACE",
    "LANGMATCHES",
    "STRDT",
    "SHA512",
]
ODD_FUNCTIONS = ["NOW", "COUNT", "SUM", "GROUP_CONCAT", "<urn:x:f>", "ots:f", "TRIPLE", "UUID", "x:"]
PROLOG = [
    "",
    "",
    "PREFIX x: <urn:x:> ",
    "PREFIX : <urn:x:> ",
    "BASE <urn:x:b/> ",
    "# a comment\n",
    "PREFIX res: <http://127.0.0.1:9/> ",
]
ODD_PROLOG = [
    "PREFIX x: <http://127.0.0.1:9/\\u0020> ",
    "BASE <relative> ",
    "PREFIX x <urn:x:> ",
    "#\r\n",
    "PREFIX é: <urn:x:é> ",
    "PREFIX x: <urn:x:> PREFIX x: <urn:y:> ",
    "\ufeff",
    "BASE <> ",
]
MODIFIERS = [
    "LIMIT 5",
    "LIMIT 3",
    "ORDER BY ?s LIMIT 2",
    "GROUP BY ?s LIMIT 4",
    "LIMIT 0",
    "LIMIT 2 OFFSET 1",
    "ORDER BY DESC(?x) LIMIT 1",
    "VALUES ?s { <urn:x:a> } LIMIT 1",
]
ODD_MODIFIERS = [
    "LIMIT 1 OFFSET 99999999999999999999",
    "LIMIT -1",
    "HAVING(COUNT(*) > 1) LIMIT 2",
    "LIMIT 1e3",
]
FORMS = [
    "SELECT * ",
    "SELECT DISTINCT ?s ",
    "SELECT REDUCED ?o ?p ",
    "ASK ",
    "DESCRIBE * ",
    "CONSTRUCT ",
    "SELECT (COUNT(*) AS ?n) ",
]
ODD_FORMS = ["SELECT ", "SELECT ?s ?s ", "SELECT * * ", "ASK ASK "]
DATASETS = [
    "",
    "",
    "",
    "FROM <urn:x:g> ",
    "FROM NAMED <urn:x:g> ",
    "FROM <https://w3id.org/otsgraph/graph/asserted> ",
]
ODD_DATASETS = ["FROM <file:///etc/passwd> ", "FROM ?x ", "FROM NAMED <> "]


@dataclass(frozen=True)
class Grammar:
    query: st.SearchStrategy[str]
    update: st.SearchStrategy[str]


def grammar(odd: bool) -> Grammar:
    """SPARQL queries and updates from fragments: `odd` mixes in the odd terms and forms."""

    def pick(clean: list[str], unusual: list[str]) -> st.SearchStrategy[str]:
        return st.sampled_from(clean + unusual) if odd else st.sampled_from(clean)

    if odd:
        iri_, literal_, variable_, term_ = iri, literal, variable, term
    else:
        iri_ = clean_iri
        literal_ = st.sampled_from(CLEAN_LITERALS)
        variable_ = clean_variable
        term_ = st.one_of(
            clean_variable, clean_variable, clean_iri, literal_, st.sampled_from(["[]", "_:b0"])
        )
    constant_ = st.one_of(iri_, literal_)
    path = st.recursive(
        st.one_of(iri_, st.just("a"), variable_ if odd else st.just("a")),
        lambda p: st.one_of(
            st.builds("^{}".format, p),
            st.builds("!{}".format, p),
            st.builds("!({}|^{})".format, iri_, iri_),
            st.builds("{}/{}".format, p, p),
            st.builds("{}|{}".format, p, p),
            st.builds("({})".format, p),
            st.builds(lambda x, m: x + m, p, pick(["*", "+", "?"], ["{1,2}", "{,}"])),
        ),
        max_leaves=6,
    )
    expression = st.recursive(
        term_,
        lambda e: st.one_of(
            st.builds("({})".format, e),
            st.builds("!{}".format, e),
            st.builds("-{}".format, e),
            st.builds("{} {} {}".format, e, pick(OPERATORS, ODD_OPERATORS), e),
            st.builds(
                lambda f, a: f"{f}({', '.join(a)})", pick(FUNCTIONS, ODD_FUNCTIONS), st.lists(e, max_size=3)
            ),
            st.builds("{} IN ({}, {})".format, e, e, e),
            st.builds("EXISTS {{ {} {} {} }}".format, term_, iri_, term_),
        ),
        max_leaves=8,
    )
    objects = st.recursive(
        term_,
        lambda o: st.one_of(
            st.builds("[ {} {} ]".format, path, o),
            st.builds("[ {} {} ; {} {}, {} ]".format, path, o, path, o, o),
            st.builds("( {} {} )".format, o, o),
            st.builds("<< {} {} {} >>".format, o, iri_, o),
        ),
        max_leaves=5,
    )
    triple = st.builds("{} {} {}".format, st.one_of(term_, objects), path, objects)
    group = st.recursive(
        st.lists(triple, min_size=0, max_size=3).map(" . ".join),
        lambda g: st.one_of(
            st.builds("{{ {} }}".format, g),
            st.builds("{{ {} }} UNION {{ {} }}".format, g, g),
            st.builds("OPTIONAL {{ {} }}".format, g),
            st.builds("MINUS {{ {} }}".format, g),
            st.builds("GRAPH {} {{ {} }}".format, st.one_of(variable_, iri_), g),
            st.builds("{} FILTER({})".format, g, expression),
            st.builds("{} FILTER NOT EXISTS {{ {} }}".format, g, g),
            st.builds("{} BIND({} AS ?b)".format, g, expression),
            st.builds("VALUES {} {{ {} {} UNDEF }}".format, variable_, constant_, constant_),
            st.builds("VALUES ({} ?v) {{ ({} {}) }}".format, variable_, constant_, constant_),
            st.builds(
                "SERVICE {} {{ {} }}".format,
                st.one_of(iri_, variable_, st.just("SILENT <http://127.0.0.1:9/s>")),
                g,
            ),
            st.builds("{{ SELECT * WHERE {{ {} }} LIMIT 2 }}".format, g),
            st.builds("{} . {}".format, g, g),
        ),
        max_leaves=5,
    )
    form = st.one_of(
        pick(FORMS, ODD_FORMS),
        st.builds("SELECT ({} AS ?e) ".format, expression),
        st.builds("CONSTRUCT {{ {} }} ".format, st.lists(triple, max_size=2).map(" . ".join)),
        st.builds("DESCRIBE {} ".format, st.one_of(iri_, variable_)),
    )
    query = st.builds(
        lambda prolog, f, d, g, m: f"{prolog}{f}{d}WHERE {{ {g} }} {m}",
        pick(PROLOG, ODD_PROLOG),
        form,
        pick(DATASETS, ODD_DATASETS),
        group,
        pick(MODIFIERS, ODD_MODIFIERS),
    )
    data_subject = st.one_of(iri_, st.sampled_from(["_:b0", "[]"] if not odd else ["_:b0", "[]", "()", "_:"]))
    quad_data = st.lists(
        st.one_of(
            st.builds("{} {} {} .".format, data_subject, st.one_of(iri_, st.just("a")), constant_),
            st.builds("GRAPH {} {{ {} {} {} }}".format, iri_, iri_, iri_, constant_),
        ),
        max_size=3,
    ).map(" ".join)
    operations = [
        st.builds("INSERT DATA {{ {} }}".format, quad_data),
        st.builds("INSERT DATA {{ {} }}".format, quad_data),
        st.builds("DELETE DATA {{ {} }}".format, quad_data),
        st.builds("DELETE WHERE {{ <urn:x:a> {} ?o }}".format, iri_),
        st.builds("INSERT {{ {} }} WHERE {{ <urn:x:a> ?p ?o }}".format, quad_data),
        st.builds("WITH {} DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <urn:x:a>) }}".format, iri_),
        st.builds("DELETE {{ {} }} USING {} WHERE {{ <urn:x:b> ?p ?o }}".format, quad_data, iri_),
        st.builds(
            "{} {}GRAPH {}".format,
            st.sampled_from(["CLEAR", "DROP", "CREATE"]),
            pick([""], ["SILENT "]),
            iri_,
        ),
        st.builds("{} {} TO {}".format, st.sampled_from(["ADD", "MOVE", "COPY"]), iri_, iri_),
    ]
    if odd:
        operations += [
            st.sampled_from(
                ["CLEAR DEFAULT", "DROP NAMED", "CLEAR ALL", "DROP SILENT ALL", "CREATE GRAPH <>"]
            ),
            st.builds(
                "LOAD {} INTO GRAPH <urn:x:g>".format,
                st.sampled_from(["<http://127.0.0.1:9/x>", "<file:///etc/passwd>"]),
            ),
            st.builds("INSERT DATA {{ {} }}".format, triple),  # variables where data must be: a syntax error
        ]
    update = st.builds(
        lambda prolog, ops, sep: prolog + sep.join(ops),
        pick(PROLOG, ODD_PROLOG),
        st.lists(st.one_of(operations), min_size=1, max_size=3),
        pick([" ; ", ";\n"], [" ", " ;; ", ";"]),
    )
    return Grammar(query, update)


CLEAN, ODD_GRAMMAR = grammar(odd=False), grammar(odd=True)
query_text = st.one_of(CLEAN.query, CLEAN.query, ODD_GRAMMAR.query)
update_text = st.one_of(CLEAN.update, CLEAN.update, ODD_GRAMMAR.update)

# ---------------------------------------------------------------------------------------- bending

JUNK = [
    "\x00",
    "\r\n",
    "\r",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "!",
    "^",
    '"',
    "'",
    "<",
    ">",
    "#",
    "\\u",
    "'''",
    ";",
    ".",
    "\ufeff",
    "\ud7ff",
    "SELECT",
    "WHERE",
    "GRAPH",
    "?",
    "@",
    "^^",
    "\\U0010FFFF",
    "\x1a",
    "\u2028",
]
NEST_OPEN = {"{": "}", "(": ")", "[": "]", "!": "", "^": "", "-": "", "<<": ">>", "NOT EXISTS {": "}"}


@st.composite
def bent(draw: st.DrawFn, text: str) -> str:
    """`text` as is (mostly), truncated, with junk put in, or wrapped in deep nesting."""
    how = draw(st.sampled_from(["as-is"] * 8 + ["truncate", "junk", "nest", "nest-at", "double"]))
    if how == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if how == "junk":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(JUNK)) + text[at:]
    if how in ("nest", "nest-at"):
        opening = draw(st.sampled_from(sorted(NEST_OPEN)))
        depth = draw(st.sampled_from([2, 50, 99, 100, 101, 150, 1000, 5000, 30_000]))
        closes = draw(st.booleans())
        inner = opening * depth + " ?x " + (NEST_OPEN[opening] * depth if closes else "")
        if how == "nest":
            return text + " " + inner
        at = draw(st.integers(0, len(text)))
        return text[:at] + inner + text[at:]
    if how == "double":
        return text + " " + text
    return text


# ---------------------------------------------------------------------------------------- headers

ACCEPTS = [
    None,
    "*/*",
    "text/html",
    "application/json",
    "application/sparql-results+json",
    "text/csv",
    "application/sparql-results+xml",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "image/png",
    "text/html;q=0",
    "*/*;q=0",
    "text/*",
    "application/json;q=0.5, text/html;q=0.6",
    "text/html;q=nan",
    "text/html;q=1e999",
    ";;;",
    ",",
    "application/sparql-results+json;charset=latin1",
    "text/turtle;q=-1, */*;q=0.1",
    "a/b/c",
    "*/json",
    "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8",
    "application/json, text/html",
    "application/*",
    "text/html; level=1; q=0.5",
    "x" * 2000,
]
AUTHORIZATIONS = [
    None,
    f"Bearer {TOKEN}",
    f"bearer {TOKEN}",
    f"Bearer  {TOKEN}",
    f"Bearer {TOKEN} ",
    "Bearer",
    "Bearer ",
    "Bearer wrong",
    f"Basic {TOKEN}",
    "Basic Zm9vOmJhcg==",
    f"Bearer {TOKEN[:-1]}",
    "Bearer \xe9",
    "Token x",
    f"Bearer {TOKEN}, Bearer x",
    "Bearer " + "a" * 5000,
    "Digest username=x",
    "Bearer fuzz:" + TOKEN,
]
FORWARDED_NAMES = [
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Forwarded-Port",
    "X-Forwarded-Prefix",
]
FORWARDED_VALUES = [
    "",
    "1.2.3.4",
    "1.2.3.4, 5.6.7.8",
    "::1",
    "[::1]",
    "garbage",
    'a b<>"{}',
    "300.1.1.1",
    ",,,",
    "unknown",
    "127.0.0.1:80",
    "h\xe9st",
    "/a b<>",
    "//evil",
    "/%zz",
    "javascript:x",
    "-1",
    "99999999999",
    "https",
    "ftp",
    "http, https",
    "127.0.0.1:99999",
    "x" * 3000,
    "host:port:port",
    "[::1",
    "a/b",
    "/prefix/",
]
CONTENT_TYPE_PARAMS = [
    "",
    "",
    "; charset=utf-8",
    "; charset=UTF-8",
    "; charset=utf8",
    '; charset="utf-8"',
    "; charset=latin1",
    "; charset=",
    ";",
    "; charset=utf-8; charset=latin1",
    "; q=0.1",
    "; boundary=x",
    ";charset=utf-16",
    "; charset*=utf-8''x",
    " ; CHARSET=UTF-8",
]
# header values requests can send: no CR/LF, no leading white space (raw sockets send the rest)
header_value = st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=40)


# No "Expect: 100-continue" without a body: waitress 3.0.2 answers "100 Continue", then waits for a body
# that never comes and never answers (a hang, not an answer to check; reported, not generated).
@st.composite
def odd_headers(draw: st.DrawFn) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    accept = draw(st.sampled_from(ACCEPTS))
    if accept is not None:
        headers.append(("Accept", accept))
    for name in draw(st.lists(st.sampled_from(FORWARDED_NAMES), max_size=3, unique=True)):
        headers.append((name, draw(st.one_of(st.sampled_from(FORWARDED_VALUES), header_value))))
    extra = draw(
        st.sampled_from(
            [
                "",
                "",
                "",
                "Accept-Language",
                "If-None-Match",
                "If-Modified-Since",
                "Range",
                "Origin",
                "X-Pad",
                "Cookie",
                "Accept-Encoding",
            ]
        )
    )
    if extra == "X-Pad":
        headers.append(("X-Pad", "p" * draw(st.sampled_from([100, 8000, 60_000]))))
    elif extra:
        values = {
            "Accept-Language": ["kk", "ru;q=0.9, *", "xx-YY-ZZ;q=2", ";;", "en;q=nan", "*"],
            "If-None-Match": ['"x"', "*", "W/", '""', "garbage"],
            "If-Modified-Since": [
                "garbage",
                "Thu, 01 Jan 1970 00:00:00 GMT",
                "Sun, 31 Dec 9999 23:59:59 GMT",
            ],
            "Range": ["bytes=0-0", "bytes=-1", "bytes=9-1", "lines=1"],
            "Origin": ["null", "http://127.0.0.1:9", "x"],
            "Cookie": ["a=b", "=;", "session=" + "c" * 100],
            "Accept-Encoding": ["gzip", "br;q=1, *;q=0", "identity;q=0"],
        }[extra]
        headers.append((extra, draw(st.one_of(st.sampled_from(values), header_value))))
    return headers


# ------------------------------------------------------------------------------------- SPARQL sends

FORMATS = [
    None,
    "json",
    "xml",
    "csv",
    "tsv",
    "turtle",
    "ntriples",
    "rdfxml",
    "jsonld",
    "n3",
    "rdf+xml",
    "json-ld",
    "html",
    "",
    "JSON",
    "x" * 300,
    "%FF",
]
DATASET_PARAMETERS = ["default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"]
GRAPH_IRIS = [
    "urn:x:g",
    "https://w3id.org/otsgraph/graph/asserted",
    "urn:x:g",
    "relative",
    "",
    "urn:x:a b",
    "urn:x:é",
    "http://127.0.0.1:9/g",
    "file:///etc/passwd",
    "urn:x:<>",
    "_:b",
    "urn:x:\x00",
    ":",
]


@st.composite
def extra_parameters(draw: st.DrawFn) -> list[str]:
    parameters = []
    for name in draw(st.lists(st.sampled_from(DATASET_PARAMETERS), max_size=2)) if rarely(draw, 3) else []:
        parameters.append(
            f"{name}={draw(percent_text(draw(st.one_of(st.sampled_from(GRAPH_IRIS), odd_text))))}"
        )
    fmt = draw(st.sampled_from(FORMATS))
    if fmt is not None:
        parameters.append(f"format={fmt if fmt == '%FF' else percent(fmt)}")
    return parameters


@st.composite
def sparql_request(draw: st.DrawFn, text: st.SearchStrategy[str], kind: str) -> Sent:
    """A query or update sent in one of the protocol's ways (or a wrong one)."""
    operation = draw(bent(draw(text)))
    server = draw(st.sampled_from(["served", "empty"]))
    headers = draw(odd_headers())
    parameters = draw(extra_parameters())
    path = draw(st.sampled_from(["/sparql", "/sparql", "/sparql/", "/%73parql"]))
    way = draw(
        st.sampled_from(["get", "post-form", "post-direct", "post-direct", "head", "put", "post-bare"])
    )
    if kind == "update":
        authorization = draw(st.sampled_from([f"Bearer {TOKEN}"] * 4 + AUTHORIZATIONS))
        if authorization is not None:
            headers.append(("Authorization", authorization))
    field_name = draw(st.sampled_from([kind, kind, kind, "query" if kind == "update" else "update", "Query"]))
    encoded = draw(percent_text(operation))
    if way in ("get", "head"):
        target = "&".join([f"{field_name}={encoded}", *parameters])
        return Sent(way.upper(), f"{path}?{target}", tuple(headers), b"", server)
    media = {"query": "application/sparql-query", "update": "application/sparql-update"}[kind]
    query_string = ("?" + "&".join(parameters)) if parameters else ""
    parameters_text = draw(st.sampled_from(CONTENT_TYPE_PARAMS))
    if way == "post-form":
        content_type = "application/x-www-form-urlencoded" + parameters_text
        body = f"{field_name}={encoded}".encode("ascii")
        if draw(st.booleans()):
            body += b"&" + "&".join(parameters).encode("ascii")
            query_string = ""
    else:
        content_type = (
            media if way != "post-bare" else draw(st.sampled_from(["", "text/plain", "text/turtle"]))
        )
        content_type += parameters_text
        body = operation.encode("utf-8", "surrogatepass")
        if rarely(draw, 5):  # bytes that are not UTF-8
            at = draw(st.integers(0, len(body)))
            body = (
                body[:at]
                + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80"]))
                + body[at:]
            )
    if content_type:
        headers.append(("Content-Type", content_type))
    method = "PUT" if way == "put" else "POST"
    return Sent(method, path + query_string, tuple(headers), body, server)


def sparql_queries() -> st.SearchStrategy[Sent]:
    return sparql_request(query_text, "query")


def sparql_updates() -> st.SearchStrategy[Sent]:
    return sparql_request(update_text, "update")


# ------------------------------------------------------------------------------------------ RDF

RDF_TYPES = {
    "turtle": ["text/turtle", "application/x-turtle", "TEXT/Turtle"],
    "trig": ["application/trig"],
    "ntriples": ["application/n-triples"],
    "nquads": ["application/n-quads"],
    "jsonld": ["application/ld+json"],
    "rdfxml": ["application/rdf+xml"],
}
OTHER_TYPES = [
    "",
    "text/plain",
    "application/json",
    "text/n3",
    "application/xml",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "application/x-www-form-urlencoded",
    "*/*",
    "text/turtle/x",
]

CLEAN_RDF_IRIS = [
    "urn:x:a",
    "urn:x:b",
    "http://127.0.0.1:9/x",
    BASE + "resource/kazakhstan",
    BASE + "ontology/State",
    BASE + "ontology/name",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
]
odd_rdf_iri = st.one_of(
    st.sampled_from(
        [
            "",
            "relative",
            "#frag",
            "urn:x:a b",
            "urn:x:<>",
            "urn:x:\\u0041",
            "urn:x:é",
            "urn:x:\x00",
            "_:b0",
            "urn:x:" + "z" * 2000,
        ]
    ),
    st.builds("urn:x:{}".format, odd_text),
)
rdf_iri = st.one_of(st.sampled_from(CLEAN_RDF_IRIS), st.sampled_from(CLEAN_RDF_IRIS), odd_rdf_iri)
rdf_literal = st.tuples(
    st.one_of(
        st.sampled_from(["x", "Kazakhstan", ""]),
        escaped_text,
        st.builds(lambda n: "l" * n, st.integers(1000, 200_000)),
    ),
    st.sampled_from(["", "en", "kk", "", "bad tag", "x-" + "a" * 80]),
    st.sampled_from(
        [
            "",
            "",
            "http://www.w3.org/2001/XMLSchema#integer",
            "http://www.w3.org/2001/XMLSchema#date",
            "urn:x:dt",
            "relative",
        ]
    ),
)
rdf_triple = st.tuples(
    st.one_of(rdf_iri, st.sampled_from(["_:b0", "_:b1", "_:"])),
    rdf_iri,
    st.one_of(rdf_iri, rdf_literal, st.sampled_from(["_:b0", "_:b1"])),
    st.sampled_from(
        [None, None, None, "urn:x:g", BASE + "graph/asserted", "urn:x:a b"]
    ),  # the graph (TriG, N-Quads)
)


def _term(value: Any) -> str:
    if isinstance(value, tuple):
        text, lang, datatype = value
        escaped = text.replace("\\", "\\\\").replace('"', '\\"') if "\\u" not in text else text
        return f'"{escaped}"' + (f"@{lang}" if lang else f"^^<{datatype}>" if datatype else "")
    if value.startswith("_:"):
        return value
    return f"<{value}>"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def write_rdf(fmt: str, triples: list[tuple[Any, Any, Any, Any]]) -> str:
    """A document in `fmt` with these triples, written naively (odd terms make it broken, as wanted)."""
    if fmt in ("turtle", "ntriples"):
        return "".join(f"{_term(s)} {_term(p)} {_term(o)} .\n" for s, p, o, _ in triples)
    if fmt == "nquads":
        return "".join(
            f"{_term(s)} {_term(p)} {_term(o)} {_term(g) if g else ''} .\n" for s, p, o, g in triples
        )
    if fmt == "trig":
        return "".join(
            (f"{_term(g)} {{ " if g else "{ ") + f"{_term(s)} {_term(p)} {_term(o)} }}\n"
            for s, p, o, g in triples
        )
    if fmt == "jsonld":
        nodes = []
        for s, p, o, g in triples:
            value = (
                {"@value": o[0], **({"@language": o[1]} if o[1] else {"@type": o[2]} if o[2] else {})}
                if isinstance(o, tuple)
                else {"@id": o}
            )
            node = {"@id": s, p: value}
            nodes.append({"@id": g, "@graph": [node]} if g else node)
        return json.dumps({"@context": {"@vocab": "urn:x:v#"}, "@graph": nodes})
    lines = ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="urn:x:">']
    for s, p, o, _ in triples:
        about = f'rdf:nodeID="{_xml(s[2:])}"' if s.startswith("_:") else f'rdf:about="{_xml(s)}"'
        if isinstance(o, tuple):
            extra = f' xml:lang="{_xml(o[1])}"' if o[1] else f' rdf:datatype="{_xml(o[2])}"' if o[2] else ""
            inner = f"<x:p{extra}>{_xml(o[0])}</x:p>"
        else:
            inner = f'<x:p rdf:resource="{_xml(o)}"/>'
        lines.append(
            f'<rdf:Description {about}>{inner}<rdf:type rdf:resource="{_xml(p)}"/></rdf:Description>'
        )
    lines.append("</rdf:RDF>")
    return "\n".join(lines)


def deep_rdf(fmt: str, depth: int) -> str:
    """A document nested `depth` levels deep (blank node lists, collections, objects, elements)."""
    if fmt in ("turtle", "trig"):
        inner = "<urn:x:a> <urn:x:p> " + "[ <urn:x:p> " * depth + "1" + " ]" * depth + " ."
        return inner if fmt == "turtle" else "{ " + inner + " }"
    if fmt in ("ntriples", "nquads"):
        return "<urn:x:a> <urn:x:p> " + "(" * depth + " ." + ")" * depth
    if fmt == "jsonld":
        return '{"@id": "urn:x:a", "urn:x:p": ' + '{"urn:x:p": ' * depth + '"1"' + "}" * depth + "}"
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="urn:x:"><rdf:Description>'
        + '<x:p rdf:parseType="Resource">' * depth
        + "</x:p>" * depth
        + "</rdf:Description></rdf:RDF>"
    )


SPECIAL_RDF = {
    "rdfxml": [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="urn:x:a"><rdf:value>&b;</rdf:value></rdf:Description></rdf:RDF>',
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/dtd"><r/>',
        '<?xml version="1.0" encoding="latin1"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        "<?xml-stylesheet href='x'?><rdf:RDF/>",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="&#0;"/></rdf:RDF>',
        "<![CDATA[x]]>",
    ],
    "jsonld": [
        '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x:a", "p": 1}',
        '{"@context": {"@import": "http://127.0.0.1:9/c"}, "@id": "urn:x:a"}',
        '{"@context": {"p": {"@id": "urn:x:p", "@type": "@id"}}, "@id": "urn:x:a", "p": "\\ud800"}',
        '{"@id": "urn:x:a", "urn:x:p": {"@list": [[[[1]]]]}}',
        '{"@context": {"@version": 1.0}, "@id": "urn:x:a"}',
        '[{"@id": "urn:x:a", "urn:x:p": {"@value": 1e999}}]',
        '{"@context": {"@base": "x"}, "@id": "", "urn:x:p": {"@id": "../.."}}',
        '{"@context": null, "@graph": {"@graph": {"@graph": []}}}',
        "[" * 5000,
        '{"@id": "urn:x:a", "urn:x:p": {"@value": "x", "@direction": "rtl", "@language": "ar"}}',
        '{"@id": "urn:x:a", "urn:x:p": {"@value": {"a": 1}, "@type": "@json"}}',
    ],
    "turtle": [
        "@prefix : <urn:x:> . :a :p :b , :c ; :q ( :d ( :e ) ) ; :r [ :s [ ] ] .",
        "@base <relative> . <a> <b> <c> .",
        "PREFIX : <urn:x:> :a :p << :b :q :c >> .",
        ":a :p :b .",
        '<urn:x:a> <urn:x:p> "\\uD800" .',
        '<urn:x:a> <urn:x:p> "x"^^<urn:x:dt\\u003E> .',
        "@prefix x: <urn:x:> . x:a x:p x:b ~ x:r {| x:q x:c |} .",
        "<> a <https://w3id.org/otsgraph/ontology/BackgroundClaim> .",
    ],
}


@st.composite
def rdf_document(draw: st.DrawFn) -> tuple[str, bytes]:
    """(format, bytes): a written document, a special one, or a deep one; then maybe bent."""
    fmt = draw(st.sampled_from(sorted(RDF_TYPES)))
    how = draw(st.sampled_from(["written", "written", "written", "special", "deep", "empty"]))
    if how == "special":
        text = draw(st.sampled_from(SPECIAL_RDF.get(fmt, SPECIAL_RDF["turtle"])))
    elif how == "deep":
        text = deep_rdf(fmt, draw(st.sampled_from([10, 64, 65, 100, 1000, 20_000])))
    elif how == "empty":
        text = draw(st.sampled_from(["", " ", "\n", "\ufeff", "{}", "[]", "<r/>", "# x"]))
    else:
        text = write_rdf(fmt, draw(st.lists(rdf_triple, min_size=1, max_size=4)))
    text = draw(bent(text))
    data = text.encode("utf-8", "surrogatepass")
    how_bytes = draw(st.sampled_from(["utf-8"] * 6 + ["bom", "bad", "utf-16", "nul"]))
    if how_bytes == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how_bytes == "bad":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"])) + data[at:]
    elif how_bytes == "utf-16":
        data = text.encode("utf-16", "surrogatepass")
    elif how_bytes == "nul":
        data = data + b"\x00"
    return fmt, data


def _multipart(parts: list[tuple[str, str, bytes]], boundary: str) -> bytes:
    chunks = []
    for filename, media_type, data in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        if media_type:
            head += f"Content-Type: {media_type}\r\n"
        chunks.append(head.encode("utf-8") + b"\r\n" + data + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


GRAPH_TARGETS = [
    "?graph=urn:x:g1",
    "?graph=urn:x:g2",
    "?default",
    "?graph=urn%3Ax%3Ag3",
    "?graph=relative",
    "?graph=",
    "?graph=urn:x:a&default",
    "?graph=urn:x:a&graph=urn:x:b",
    "?graph=urn:x:%FF",
    "?graph=https%3A%2F%2Fw3id.org%2Fotsgraph%2Fgraph%2Finferred",
    "?graph=urn:x:a%20b",
    "?graph=https%3A%2F%2Fw3id.org%2Fotsgraph%2Fgraph%2Fontology",
    "?default=&format=ntriples",
    "?graph=urn:x:%ED%A0%80",
    "?graph=%00",
    "",
]


@st.composite
def rdf_request(draw: st.DrawFn) -> Sent:
    """An RDF body sent to the Graph Store (indirect, direct, the store itself) or to /validate."""
    fmt, data = draw(rdf_document())
    server = draw(st.sampled_from(["served", "empty", "empty"]))
    where = draw(st.sampled_from(["validate", "validate", "indirect", "indirect", "direct", "store"]))
    method = (
        "POST"
        if where in ("validate", "store")
        else draw(st.sampled_from(["PUT", "POST", "POST", "DELETE", "GET"]))
    )
    if where == "validate":
        server = draw(st.sampled_from(["served", "served", "served", "empty"]))
        target = "/validate" + draw(
            st.sampled_from(["", "", "?format=turtle", "?format=jsonld", "?format=x"])
        )
    elif where == "indirect":
        target = "/rdf-graphs" + draw(st.sampled_from(GRAPH_TARGETS))
    elif where == "direct":
        target = "/rdf-graphs/" + draw(percent_text(draw(st.one_of(st.just("g"), odd_text)) or "g"))
    else:
        target = "/rdf-graphs" + draw(st.sampled_from(["", "/", "?x=1"]))
    headers = draw(odd_headers())
    authorization = draw(st.sampled_from([f"Bearer {TOKEN}"] * 5 + AUTHORIZATIONS))
    if authorization is not None:
        headers.append(("Authorization", authorization))
    media_type = draw(st.sampled_from(RDF_TYPES[fmt] * 6 + OTHER_TYPES))
    if media_type == "multipart/form-data" and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b0undary", "x" * 70, "a b", "é"]))
        extension = {
            "turtle": "ttl",
            "trig": "trig",
            "ntriples": "nt",
            "nquads": "nq",
            "jsonld": "jsonld",
            "rdfxml": "rdf",
        }[fmt]
        part_type = draw(
            st.sampled_from(["", RDF_TYPES[fmt][0], "text/plain", RDF_TYPES[fmt][0] + "; charset=latin1"])
        )
        filename = draw(st.sampled_from([f"data.{extension}", "data", "", "../../etc/passwd", "é.ttl"]))
        count = draw(st.integers(1, 3))
        data = _multipart([(filename, part_type, data)] * count, boundary)
        media_type = f'multipart/form-data; boundary="{boundary}"'
    headers.append(("Content-Type", media_type + draw(st.sampled_from(CONTENT_TYPE_PARAMS))))
    return Sent(method, target, tuple(headers), data, server)


# ------------------------------------------------------------------------------------- reconcile

json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(st.one_of(odd_char, st.sampled_from(["\ud800", "\udfff"])), max_size=12),
        st.sampled_from(
            [
                "kazakhstan",
                "Turkey",
                "Q232",
                "State",
                "ots:State",
                BASE + "resource/kazakhstan",
                BASE + "ontology/State",
                "name",
                "P31",
                "wikidata",
                "",
                "  ",
            ]
        ),
    ),
    lambda v: st.one_of(
        st.lists(v, max_size=3), st.dictionaries(st.text(odd_char, max_size=8), v, max_size=3)
    ),
    max_leaves=8,
)
reconcile_word = st.one_of(
    st.sampled_from(
        [
            "kazakhstan",
            "Kazakhstan",
            "Қазақстан",
            "Turkey",
            "Türkiye",
            "Astana",
            "Nazarbayev",
            "",
            " ",
            "summit",
            "a" * 300,
        ]
    ),
    st.text(st.one_of(odd_char, st.sampled_from(["\ud800"])), max_size=10),
)
reconcile_type = st.one_of(
    st.sampled_from(
        [
            "State",
            "ots:State",
            BASE + "ontology/State",
            "City",
            "Person",
            "Q6256",
            "",
            "x",
            None,
            {"id": "State"},
            {"id": 1},
            ["State", "City"],
            3,
        ]
    ),
    json_value,
)
property_id = st.one_of(
    st.sampled_from(
        ["name", "wikidata", BASE + "ontology/name", "ots:locatedIn", "rdfs:label", "P17", "", "x:y"]
    ),
    json_value,
)
legacy_query = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(reconcile_word, json_value),
        "type": reconcile_type,
        "type_strict": st.sampled_from(["any", "all", "should", "x", None]),
        "limit": st.one_of(
            st.integers(-5, 10**12), st.sampled_from(["3", " 7 ", "x", 1.5, 1e999, True]), json_value
        ),
        "properties": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "pid": property_id,
                        "p": property_id,
                        "v": st.one_of(reconcile_word, json_value),
                    },
                ),
                max_size=3,
            ),
            json_value,
        ),
        "lang": st.sampled_from(["en", "kk", "ru", "xx", None, 1]),
    },
)
draft_condition = st.fixed_dictionaries(
    {"matchType": st.sampled_from(["name", "property", "x", None])},
    optional={
        "propertyId": property_id,
        "propertyValue": st.one_of(reconcile_word, json_value, st.lists(reconcile_word, max_size=2)),
        "required": st.one_of(st.booleans(), json_value),
        "matchQuantifier": st.sampled_from(["any", "all", "none", "some"]),
        "matchQualifier": st.sampled_from([None, "x"]),
        "other": json_value,
    },
)
draft_query = st.fixed_dictionaries(
    {},
    optional={
        "conditions": st.one_of(st.lists(draft_condition, max_size=3), json_value),
        "type": reconcile_type,
        "limit": st.one_of(st.integers(-1, 10**6), json_value),
        "lang": st.sampled_from(["en", "kk", "ru", "xx"]),
        "dir": st.sampled_from(["ltr", "rtl", 1]),
    },
)
extension = st.fixed_dictionaries(
    {},
    optional={
        "ids": st.one_of(
            st.lists(
                st.one_of(
                    st.sampled_from([BASE + "resource/kazakhstan", "kazakhstan", "Q232", "", "x"]),
                    st.text(odd_char, max_size=6),
                ),
                max_size=4,
            ),
            json_value,
        ),
        "properties": st.one_of(st.lists(st.fixed_dictionaries({"id": property_id}), max_size=3), json_value),
    },
)
reconcile_payload = st.one_of(
    st.dictionaries(st.sampled_from(["q0", "q1", "\ud800", "", "queries"]), legacy_query, max_size=3),
    st.fixed_dictionaries({"queries": st.lists(st.one_of(draft_query, legacy_query), max_size=3)}),
    st.fixed_dictionaries({"queries": json_value}),
    extension,
    json_value,
)


def json_text(value: Any, ensure_ascii: bool) -> str:
    try:
        return json.dumps(value, ensure_ascii=ensure_ascii, allow_nan=True)
    except (ValueError, TypeError):
        return "null"


@st.composite
def reconcile_request(draw: st.DrawFn) -> Sent:
    """Reconciliation: batches, extension, suggest, preview, view, flyout, propose (both versions)."""
    headers = draw(odd_headers())
    root = draw(st.sampled_from(["/reconcile", "/reconcile/1.0-draft"]))
    what = draw(
        st.sampled_from(
            [
                "batch-get",
                "batch-form",
                "batch-json",
                "match",
                "extend",
                "extend-form",
                "suggest",
                "entity",
                "propose",
                "manifest",
                "text",
            ]
        )
    )
    language = draw(st.sampled_from([None, "kk", "ru", "xx", "", "%FF"]))
    extra = [f"lang={language}"] if language is not None else []
    callback = draw(st.sampled_from([None, None, "cb", "$x_1", "a.b", "1x", "", "x" * 200, "%3Cscript%3E"]))
    if callback is not None:
        extra.append(f"callback={callback}")
    payload = draw(reconcile_payload)
    text = json_text(payload, draw(st.booleans()))
    if rarely(draw, 6):
        text = draw(bent(text))
    body = b""
    method = "GET"
    if what == "batch-get":
        name = draw(st.sampled_from(["queries", "queries", "query", "extend"]))
        target = f"/reconcile?{name}={draw(percent_text(text))}"
    elif what == "batch-form":
        method = "POST"
        name = draw(st.sampled_from(["queries", "queries", "query", "extend", "nothing"]))
        target = "/reconcile"
        body = f"{name}={draw(percent_text(text))}".encode("ascii")
        headers.append(
            ("Content-Type", "application/x-www-form-urlencoded" + draw(st.sampled_from(CONTENT_TYPE_PARAMS)))
        )
    elif what in ("batch-json", "match", "extend"):
        method = "POST"
        target = {
            "batch-json": "/reconcile",
            "match": "/reconcile/1.0-draft/match",
            "extend": f"{root}/extend",
        }[what]
        body = text.encode("utf-8", "surrogatepass")
        headers.append(
            (
                "Content-Type",
                draw(
                    st.sampled_from(
                        [
                            "application/json",
                            "application/json; charset=latin1",
                            "text/plain",
                            "application/JSON",
                        ]
                    )
                ),
            )
        )
    elif what == "extend-form":
        method = "POST"
        target = f"{root}/extend"
        body = f"extend={draw(percent_text(text))}".encode("ascii")
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    elif what == "suggest":
        kind = draw(st.sampled_from(["entity", "type", "property"]))
        parameters = []
        if not rarely(draw, 5):
            parameters.append(f"prefix={draw(percent_text(draw(reconcile_word)))}")
        for name in draw(st.lists(st.sampled_from(["limit", "offset", "cursor", "type"]), max_size=3)):
            value = draw(
                st.one_of(
                    st.sampled_from(["0", "1", "100", "101", "-1", "1e3", "999999999999", "x", ""]),
                    st.builds(str, reconcile_type),
                )
            )
            parameters.append(f"{name}={percent(value)}")
        target = f"{root}/suggest/{kind}?" + "&".join(parameters)
    elif what == "entity":
        kind = draw(st.sampled_from(["preview", "view", "flyout/entity"]))
        if kind == "flyout/entity":
            root = "/reconcile"
        identifier = draw(
            st.one_of(
                st.sampled_from([BASE + "resource/kazakhstan", "kazakhstan", "Q232", "", None]), odd_text
            )
        )
        target = f"{root}/{kind}" + (
            f"?id={draw(percent_text(identifier))}" if identifier is not None else ""
        )
    elif what == "propose":
        type_id = draw(st.one_of(st.sampled_from(["State", BASE + "ontology/State", "", "x"]), odd_text))
        target = f"{root}/extend/propose?type={draw(percent_text(type_id))}"
        if draw(st.booleans()):
            target += "&limit=" + draw(st.sampled_from(["0", "5", "x", "-3", "100000"]))
    elif what == "manifest":
        target = root
    else:
        method = "POST"
        target = root
        body = text.encode("utf-8", "surrogatepass")
        headers.append(
            (
                "Content-Type",
                draw(st.sampled_from(["", "text/plain", "application/json", "multipart/form-data"])),
            )
        )
    if extra:
        target += ("&" if "?" in target else "?") + "&".join(extra)
    method = draw(st.sampled_from([method] * 6 + ["HEAD", "OPTIONS", "PUT"]))
    return Sent(method, target, tuple(headers), body, "served")


# ------------------------------------------------------------------------------------ routes, raw

METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
ODD_METHODS = ["TRACE", "PROPFIND", "get", "CONNECT", "M" * 40, "GET\x00", "QUERY"]
SEGMENTS = [
    "kazakhstan",
    "turkey",
    "State",
    "summit-tc-2014-bodrum-gul",
    "otsgraph.nt",
    "otsgraph.ttl",
    "otsgraph.trig",
    "otsgraph.nq",
    "style.css",
    "app.js",
    "",
    "..",
    ".",
    "%2e%2e",
    "%2F",
    "a%00b",
    "a%0D%0Ab",
    "%FF",
    "%ED%A0%80",
    "%C3%A9",
    "é",
    "%",
    "a%2",
    "x" * 3000,
    "~",
    "a;b",
    "a?b=c",
]


def route_paths(rules: list[tuple[str, tuple[str, ...]]]) -> st.SearchStrategy[tuple[str, tuple[str, ...]]]:
    """(path, methods) for every rule of the app's url_map, its variables filled with odd segments."""

    @st.composite
    def fill(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
        rule, methods = draw(st.sampled_from(rules))

        def segment(match: re.Match[str]) -> str:
            converter = match.group(1) or "default"
            chosen = draw(
                st.one_of(st.sampled_from(SEGMENTS), st.builds(percent, odd_text), percent_text("x"))
            )
            if converter in ("path", "anypath") and draw(st.booleans()):
                chosen += "/" + draw(st.sampled_from(SEGMENTS))
            return chosen

        path = re.sub(r"<(?:(\w+):)?\w+>", segment, rule)
        path = draw(
            st.sampled_from([path] * 6 + [path + "/", path.upper(), "/" + path, path + "%20", path + "/.."])
        )
        return path, methods

    return fill()


ROUTE_PARAMETERS = [
    "query",
    "update",
    "format",
    "graph",
    "default",
    "q",
    "s",
    "p",
    "o",
    "lang",
    "example",
    "id",
    "prefix",
    "limit",
    "type",
    "queries",
    "callback",
    "default-graph-uri",
    "page",
    "x",
]


@st.composite
def route_request(draw: st.DrawFn, rules: list[tuple[str, tuple[str, ...]]]) -> Sent:
    """Any route, any method, odd query strings and headers; sent as bytes over a raw socket."""
    path, methods = draw(route_paths(rules))
    method = draw(
        st.one_of(st.sampled_from(METHODS), st.sampled_from(list(methods)), st.sampled_from(ODD_METHODS))
    )
    parameters = []
    for name in draw(st.lists(st.sampled_from(ROUTE_PARAMETERS), max_size=3)):
        value = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "",
                        "kazakhstan",
                        "res:kazakhstan",
                        "<urn:x:a>",
                        '"x"@en',
                        "SELECT * {}",
                        "ots:State",
                        "1",
                        "-1",
                        "json",
                        "turtle",
                    ]
                ),
                odd_text,
            )
        )
        parameters.append(f"{name}={draw(percent_text(value))}" if not rarely(draw, 6) else name)
    query = "&".join(parameters)
    if rarely(draw, 8):
        query += draw(st.sampled_from(["&&", "=", "%", "&=x", ";", "#frag", "?", "a=b=c", "%FF=%FE"]))
    target = path + (f"?{query}" if query else "")
    headers = draw(odd_headers())
    authorization = draw(st.sampled_from(AUTHORIZATIONS))
    if authorization is not None:
        headers.append(("Authorization", authorization))
    body = b""
    if method not in ("GET", "HEAD") and draw(st.booleans()):
        media_type = draw(
            st.sampled_from(
                [
                    "application/json",
                    "text/turtle",
                    "application/sparql-query",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                    "multipart/form-data",
                ]
            )
        )
        headers.append(("Content-Type", media_type + draw(st.sampled_from(CONTENT_TYPE_PARAMS))))
        body = draw(
            st.sampled_from(
                [
                    b"{}",
                    b'{"iris": ["urn:x:a"], "lang": "kk"}',
                    b'{"iris": "x"}',
                    b"[" * 3000,
                    b"query=SELECT%20*%20%7B%7D",
                    b"<urn:x:a> <urn:x:b> <urn:x:c> .",
                    b"\xff\xfe",
                    b'{"iris": ["\\ud800"]}',
                    b"null",
                    b"",
                ]
            )
        )
    server = draw(st.sampled_from(["served", "served", "empty"]))
    return Sent(method, target, tuple(headers), body, server)


@st.composite
def raw_request(draw: st.DrawFn) -> Sent:
    """Bytes requests cannot send: raw non-ASCII or control bytes in the target, headers with NUL,
    CR or obs-fold, bare LF line ends, HTTP/1.0, absolute-form targets, chunked bodies, bad lengths."""
    path = draw(
        st.sampled_from(
            [
                "/sparql",
                "/health",
                "/",
                "/resource/kazakhstan",
                "/rdf-graphs",
                "/reconcile",
                "/validate",
                "/search",
                "/explain",
                "/void",
                "/api/labels",
                "/rdf-graphs/g",
            ]
        )
    )
    query = draw(
        st.sampled_from(
            [
                b"",
                b"?query=ASK{}",
                b"?q=\xd0\x9a\xd0\xb0",
                b"?q=\xff",
                b"?query=\x00",
                b'?s=<urn:x:a>&p="x"',
                b"?graph=urn:x:\xe9",
                b"?default",
                b"?q=a\tb",
            ]
        )
    )
    target = (
        path.encode()
        + draw(st.sampled_from([b"", b"", b"\xff", b"\xc3\xa9", b"%", b"/\x7f", b"//", b"/./x"]))
        + query
    )
    prefix = draw(st.sampled_from([b""] * 6 + [b"http://127.0.0.1", b"//", b"/", b"//x"]))
    target = prefix + target
    method = draw(st.sampled_from([b"GET", b"POST", b"PUT", b"HEAD", b"OPTIONS", b"DELETE", b"PATCH"]))
    version = draw(st.sampled_from([b"HTTP/1.1"] * 5 + [b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1.1 x"]))
    newline = b"\r\n"  # waitress waits for CR LF CR LF: bare LF line ends only make it wait
    headers = [b"Host: 127.0.0.1"]
    for name, value in draw(odd_headers()):
        headers.append(name.encode() + b": " + value.encode("latin-1", "replace"))
    odd = draw(
        st.sampled_from(
            [
                b"",
                b"",
                b"X-Odd: a\x00b",
                b"X-Odd: a\rb",
                b"X-Odd: a\nb",
                b"X-Odd:\ttab",
                b"X-Odd: first\r\n continued",
                b"Accept: \xff\xfe",
                b"Authorization: Bearer \xe9\xff",
                b"Content-Type: text/turtle; charset=\xff",
                b"X-Empty:",
                b"NoColon",
                b"X-Forwarded-Host: \x00",
                b"X-Forwarded-For: \xff",
                b"Host: other",
                b"Host:",
                b"Content-Length: -1",
                b"Content-Length: 1, 2",
                b"Transfer-Encoding: gzip",
                b"X-Odd : space",
                b"\xff: v",
                b"Expect: garbage",
            ]
        )
    )
    if odd:
        headers.append(odd)
    body = draw(
        st.sampled_from(
            [
                b"",
                b"",
                b"query=ASK%7B%7D",
                b"ASK {}",
                b"<urn:x:a> <urn:x:b> <urn:x:c> .",
                b'{"queries": {"q0": {"query": "kazakhstan"}}}',
                b"\x00\xff",
                b"{}",
            ]
        )
    )
    content_type = draw(
        st.sampled_from(
            [
                None,
                b"application/x-www-form-urlencoded",
                b"application/sparql-query",
                b"text/turtle",
                b"application/json",
            ]
        )
    )
    if content_type is not None:
        headers.append(b"Content-Type: " + content_type)
    framing = draw(st.sampled_from(["length", "length", "chunked", "bad-chunked", "long-length", "none"]))
    if framing == "length":
        headers.append(b"Content-Length: %d" % len(body))
        payload = body
    elif framing == "chunked":
        headers.append(b"Transfer-Encoding: chunked")
        payload = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    elif framing == "bad-chunked":
        headers.append(b"Transfer-Encoding: chunked")
        payload = draw(
            st.sampled_from(
                [
                    b"zz\r\nab\r\n0\r\n\r\n",
                    b"2\r\nabc\r\n0\r\n\r\n",
                    b"1;ext=\x00\r\na\r\n0\r\n\r\n",
                    b"-1\r\n",
                ]
            )
        )
    elif framing == "long-length":
        headers.append(b"Content-Length: %d" % (len(body) // 2))
        payload = body + b"\r\nGET /health HTTP/1.1\r\n\r\n"  # the rest is a second, pipelined request
    else:
        payload = b""
    headers.append(b"Connection: close")
    data = (
        method
        + b" "
        + target
        + b" "
        + version
        + newline
        + newline.join(headers)
        + newline
        + newline
        + payload
    )
    server = draw(st.sampled_from(["served", "empty"]))
    return Sent(method.decode(), target.decode("latin-1"), (), payload, server, raw=data)
