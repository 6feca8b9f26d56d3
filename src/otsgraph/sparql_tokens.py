"""SPARQL text as tokens, skipping whitespace and comments: keywords inside strings, IRIs and
comments are never taken for keywords. Used by the server's guards (server/scan.py) and by
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


_OPENERS = frozenset("{([")
_CLOSERS = frozenset("})]")
_UNARY = frozenset("!^-+")
_NESTING_CHARS = re.compile(r"[{(\[!^]")


def nesting(text: str) -> tuple[int, int]:
    """(deepest nesting, offset where it is reached): brackets of any kind, plus a run of unary
    operators (`!!!x`, `^^^p`), each of which the engine's parser and evaluator recurse into."""
    if len(_NESTING_CHARS.findall(text)) < 32:  # cannot be deep: skip the tokenizer
        return 0, 0
    depth = run = deepest = where = 0
    for kind, value, offset in tokens(text):
        if kind in ("open", "other") and value in _OPENERS:
            depth += 1
            run = 0
        elif kind in ("close", "other") and value in _CLOSERS:
            depth -= 1
            run = 0
        elif kind == "other" and value in _UNARY:
            run += 1
        else:
            run = 0
        if depth + run > deepest:
            deepest, where = depth + run, offset
    return deepest, where


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
