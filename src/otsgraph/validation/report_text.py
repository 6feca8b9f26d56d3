"""SHACL results as readable text: grouped by focus node, counts at the end."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from otsgraph.core.results import short

from .reference import ShapeResult


def _short_iri(value: str | None) -> str:
    if value is None:
        return "-"
    import pyoxigraph as ox

    try:
        return short(ox.NamedNode(value))
    except ValueError:
        return value


def format_results(
    results: Iterable[ShapeResult], label: Callable[[str], str | None] = lambda _: None
) -> str:
    """Group by focus node, show label, path, value, message and severity, then counts per severity."""
    groups: dict[str, list[ShapeResult]] = defaultdict(list)
    for result in results:
        groups[result.focus].append(result)
    lines = []
    counts: dict[str, int] = defaultdict(int)
    for focus in sorted(groups):
        name = label(focus)
        lines.append(f"{_short_iri(focus)}" + (f"  ({name})" if name else ""))
        for r in groups[focus]:
            counts[r.severity] += 1
            lines.append(f"  {r.severity:<9} {_short_iri(r.path)}: {r.message}")
            if r.value is not None:
                lines.append(f"            value: {r.value}")
    lines.append(
        ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in sorted(counts.items()))
        or "no results"
    )
    return "\n".join(lines)
