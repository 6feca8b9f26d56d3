"""SPARQL files shipped with the package, loaded by name (queries/<purpose>/<name>.rq)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
_HEADER = re.compile(r"^#\s*(\w[\w-]*):\s*(.+)$")


@dataclass(frozen=True)
class QueryFile:
    """A .rq file: its name, its text, and the `# key: value` lines of its header comment."""

    name: str
    path: Path
    text: str
    header: dict[str, str]

    @property
    def comment(self) -> str:
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            if not _HEADER.match(line):
                lines.append(line.lstrip("# ").rstrip())
        return " ".join(x for x in lines if x)


def read_query(path: Path) -> QueryFile:
    text = path.read_text(encoding="utf-8")
    header = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _HEADER.match(line):
            header[match.group(1).lower()] = match.group(2).strip()
    return QueryFile(path.stem, path, text, header)


def queries_in(folder: str | Path) -> list[QueryFile]:
    """Every .rq file of a folder (a name under queries/, or a path), sorted by name."""
    directory = Path(folder) if Path(folder).is_absolute() else QUERIES_DIR / folder
    return [read_query(p) for p in sorted(directory.glob("*.rq"))]


def load(purpose: str, name: str) -> str:
    """The text of queries/<purpose>/<name>.rq."""
    return (QUERIES_DIR / purpose / f"{name}.rq").read_text(encoding="utf-8")
