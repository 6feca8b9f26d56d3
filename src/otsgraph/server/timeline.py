"""/timeline: summits, official visits and agreements as an SVG drawn on the server.

A vertical list in date order rather than a time-proportional axis: the events bunch up in a few
years (2009, 2012, 2024), and one row per event stays legible on a phone's narrow screen. Years
are marked where they change. Text goes through markupsafe.escape, so labels cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from markupsafe import Markup

from .. import queries
from ..namespaces import OTS
from .links import href, label_of
from .state import state
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
    date: str  # yyyy-mm-dd, for the order
    shown: str  # the date at the precision the data gives it: 1992, 2009-10, 2012-08-23


def marks() -> list[Mark]:
    """One mark per thing, in date order (a thing of two kinds keeps the first of KINDS)."""
    server = state()
    rows = server.store.query(queries.load("pages", "timeline"), default_graph=server.default_graphs)
    found: dict[str, Mark] = {}
    order = list(KINDS)
    for row in rows:
        thing, kind, date = row["thing"], row["kind"], row["date"]
        if not isinstance(thing, ox.NamedNode) or not isinstance(date, ox.Literal):
            continue
        given = row["given"] or row["start"]
        shown = given.value if isinstance(given, ox.Literal) and given.value[:1].isdigit() else date.value
        mark = Mark(thing.value, kind.value, date.value, shown)
        if thing.value not in found or order.index(kind.value) < order.index(found[thing.value].kind):
            found[thing.value] = mark
    return sorted(found.values(), key=lambda m: (m.date, m.iri))


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
