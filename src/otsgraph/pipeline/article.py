"""The source article: locating it, normalising its text and finding quotes in it.

Quotes in the data are located by character offsets into the *normalised* text:
every run of whitespace collapsed to one space and the ends stripped, because the
article's lines break mid-sentence.

>>> normalise("  a\\n b   c ")
'a b c'
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ARTICLE_FILE_NAME = "000_08e2fca3cbf5709b.txt"
_WHITESPACE = re.compile(r"\s+")


class ArticleNotFound(FileNotFoundError):
    """The article lives in ../shared/source, beside the checkout, not in the repo."""


def article_path() -> Path:
    """Where the source article is: $OTSGRAPH_ARTICLE, else ../shared/source beside the repo."""
    override = os.environ.get("OTSGRAPH_ARTICLE")
    if override:
        return Path(override)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "source" / ARTICLE_FILE_NAME


def normalise(text: str) -> str:
    """Collapse whitespace runs to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


@lru_cache(maxsize=4)
def _read_normalised(path: str) -> str:
    return normalise(Path(path).read_text(encoding="utf-8"))


def normalised_text(path: Path | None = None) -> str:
    """The article's normalised text; raises ArticleNotFound when it is absent."""
    path = path or article_path()
    if not path.exists():
        raise ArticleNotFound(f"the source article is not at {path} (set OTSGRAPH_ARTICLE)")
    return _read_normalised(str(path))


@dataclass(frozen=True)
class QuoteLocation:
    """A quote's place in the normalised text: text[start:end] == quote."""

    start: int
    end: int
    occurrences: int


def locate(quote: str, text: str) -> QuoteLocation | None:
    """Find a quote (whitespace-normalised) in the normalised text.

    >>> locate("b c", "a b c b c")
    QuoteLocation(start=2, end=5, occurrences=2)
    >>> locate("zz", "a b") is None
    True
    """
    needle = normalise(quote)
    start = text.find(needle)
    if start < 0:
        return None
    return QuoteLocation(start, start + len(needle), text.count(needle))


def main(argv: list[str] | None = None) -> int:
    """`python -m otsgraph.pipeline.article "quote"` prints start and end offsets (an authoring aid)."""
    args = sys.argv[1:] if argv is None else argv
    text = normalised_text()
    status = 0
    for quote in args:
        found = locate(quote, text)
        if found is None:
            print(f"NOT FOUND: {quote!r}")
            status = 1
        else:
            print(f"{found.start} {found.end} (occurrences: {found.occurrences})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
