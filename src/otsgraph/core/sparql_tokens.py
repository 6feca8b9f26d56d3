"""SPARQL text as tokens, skipping whitespace and comments: keywords inside strings, IRIs and
comments are never taken for keywords. Used by the server's guards (server/execution/scan.py) and by
change.py, which must know whether an update is made of DATA operations only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# One alternation, tried in order at each position: the order matters (a '<' is an IRI only
# when the IRIREF production matches; otherwise it is the less-than operator).
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[^\s{}()\[\],;]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:(?:[^\s{}()\[\],;'"<>#\\]|\\.)*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class ScanError(ValueError):
    """The text is not well-formed enough to be checked (an unterminated string, say)."""


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of every token but whitespace and comments."""
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:  # cannot happen: `other` matches any char
            raise ScanError(f"cannot read the text at character {pos}")
        kind = match.lastgroup
        if kind == "other" and text[pos] in "\"'":
            raise ScanError(f"unterminated string at character {pos}")
        if kind not in ("ws", "comment"):
            yield kind, match.group(), pos
        pos = match.end()


# What nesting() needs to see: strings, IRIs and comments (skipped whole, so that a bracket inside
# them does not count), runs of brackets and of unary operators (one match for a run of thousands),
# whitespace, and everything else in bulk. A loop over tokens() took 2 µs a character (130 ms for
# a 60 KB attack); this takes one match per run.
_NESTING_SCAN = re.compile(
    r"""
    (?P<skip>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
            |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'
            |<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>
            |\#[^\n\r]*)
  | (?P<open>[{(\[]+)
  | (?P<close>[})\]]+)
  | (?P<unary>[!^+\-]+)
  | (?P<space>\s+)
  | (?P<other>[^"'<\#{}()\[\]!^+\-\s]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_NESTING_CHARS = re.compile(r"[{(\[!^+\-]")


def nesting(text: str) -> tuple[int, int]:
    """(deepest nesting, offset where it is reached): brackets of any kind, plus a run of unary
    operators (`!!!x`, `^^^p`), each of which the engine's parser and evaluator recurse into.

    >>> nesting('SELECT * { ?s ?p "{{{{" FILTER(!!?x) }' + " " * 40 + "{" * 40)
    (40, 117)
    """
    if len(_NESTING_CHARS.findall(text)) <= 32:  # cannot be deeper than the characters that nest
        return 0, 0
    depth = run = deepest = where = 0
    for match in _NESTING_SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += len(match.group())
            run = 0
        elif kind == "close":
            depth -= len(match.group())
            run = 0
        elif kind == "unary":
            run += len(match.group())
        elif kind != "space":
            run = 0
        if depth + run > deepest:
            deepest, where = depth + run, match.end() - 1
    return deepest, where


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
