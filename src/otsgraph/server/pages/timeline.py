"""/timeline: summits, official visits and agreements as an SVG drawn on the server.

A vertical list in date order rather than a time-proportional axis: the events bunch up in a few
years (2009, 2012, 2024), and one row per event stays legible on a phone's narrow screen. Years
are marked where they change. Each row shows the date at the precision the article gives it
(ots:displayDate: "1992", not 1992-01-01) and rows are ordered by the range the build derived for it
(ots:earliestDate, then ots:latestDate), so the order and the dates shown agree. Text goes through
markupsafe.escape, so labels cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from markupsafe import Markup

from otsgraph.core import queries
from otsgraph.core.namespaces import OTS

from ..state import state
from .links import href, label_of
from .svg import FONT, INK, SVG_NS, element, link, short

KINDS = {  # class -> (kind key for the legend, colour, shape)
    str(OTS.Summit): ("kind_summit", "#1d5fbf", "circle"),
    str(OTS.OfficialVisit): ("kind_visit", "#b45309", "square"),
    str(OTS.InternationalInstrument): ("kind_agreement", "#047857", "diamond"),
}
WIDTH, ROW, TOP, AXIS = 440, 40, 64, 64


@dataclass(frozen=True)
class Mark:
    iri: str
    kind: str  # the class IRI
    date: str  # yyyy-mm-dd: the earliest day the thing can have happened on (ots:earliestDate)
    shown: str  # the date at the precision the data gives it (ots:displayDate): 1992, 2009-10, 2012-08-23
    latest: str = ""  # yyyy-mm-dd: the latest day (ots:latestDate), "" when unknown

    @property
    def order(self) -> tuple[str, str, str]:
        """Sorted by the range: a year-only "1992" (1992-01-01 … 1992-12-31) comes before a day in
        1992 only when the data cannot place it later (Demirel's visit: after 1992-03-02)."""
        return (self.date, self.latest or "9999", self.iri)


def marks() -> list[Mark]:
    """One mark per thing, in the order of its derived range (of two kinds, the first of KINDS)."""
    server = state()
    rows = server.store.query(queries.load("pages", "timeline"), default_graph=server.default_graphs)
    found: dict[str, Mark] = {}
    order = list(KINDS)
    for row in rows:
        thing, kind, earliest = row["thing"], row["kind"], row["earliest"]
        if not isinstance(thing, ox.NamedNode) or not isinstance(earliest, ox.Literal):
            continue
        given, latest = row["shown"], row["latest"]
        last = latest.value if isinstance(latest, ox.Literal) else ""
        if isinstance(given, ox.Literal) and given.value[:1].isdigit():
            shown = given.value
        else:  # no date to show (not derived by the build): the range itself, as an ISO 8601 interval
            shown = earliest.value if last in ("", earliest.value) else f"{earliest.value}/{last}"
        mark = Mark(thing.value, kind.value, earliest.value, shown, last)
        if thing.value not in found or order.index(kind.value) < order.index(found[thing.value].kind):
            found[thing.value] = mark
    return sorted(found.values(), key=lambda m: m.order)


def _shape(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return element("circle", cx=x, cy=y, r=7, fill=colour)
    if shape == "square":
        return element("rect", x=x - 6, y=y - 6, width=12, height=12, fill=colour)
    return element("polygon", points=f"{x},{y - 8} {x + 8},{y} {x},{y + 8} {x - 8},{y}", fill=colour)


def draw(items: list[Mark], lang: str, words: dict[str, str], title: str) -> Markup:
    """The SVG: a legend, the axis, and one linked row per mark."""
    height = TOP + ROW * max(len(items), 1) + 10
    parts = [element("title", title)]
    for i, (key, colour, shape) in enumerate(KINDS.values()):
        x = 8 + i * 120
        parts.append(_shape(shape, x + 6, 20, colour))
        parts.append(element("text", short(words[key], 18), x=x + 18, y=25, fill=INK))
    parts.append(element("line", x1=AXIS, y1=TOP - 14, x2=AXIS, y2=height - 6, stroke="#999", stroke_width=2))
    year = None
    for i, mark in enumerate(items):
        y = TOP + i * ROW
        if mark.date[:4] != year:
            year = mark.date[:4]
            parts.append(element("text", year, x=8, y=y + 5, font_weight="bold", fill=INK))
        key, colour, shape = KINDS[mark.kind]
        name = label_of(mark.iri, lang)
        row = (
            element("title", f"{name} ({mark.shown}, {words[key]})")
            + _shape(shape, AXIS, y, colour)
            + element("text", mark.shown, x=AXIS + 16, y=y - 3, font_size=11, fill="#555")
            + element("text", short(name, 44), x=AXIS + 16, y=y + 13, fill="#0b4da2")
        )
        parts.append(link(href(mark.iri), element("g", children=row, class_="mark")))
    font = {**FONT, "font_size": 13}
    box = f"0 0 {WIDTH} {height}"
    root = element(
        "svg", children="".join(parts), xmlns=SVG_NS, viewBox=box, class_="timeline", role="img", **font
    )
    return Markup(root)
