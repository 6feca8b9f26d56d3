"""Temporal rules OWL RL cannot express, because they compare dates.

1. Every dated thing gets the range its date can mean: `ots:earliestDate` and `ots:latestDate`
   (xsd:date), for sorting and comparing mixed precisions, and `ots:displayDate`, the one date to
   show, at the precision the article gives it. A year stays a year: "1992"^^xsd:gYear is shown
   as 1992 and spans 1992-01-01 … 1992-12-31; its lower bound is only a bound.

   - All the point dates a thing has (`ots:date`, `schema:foundingDate`) are true of it at once,
     so its range is their intersection: "2009" and "2009-10-09" give 2009-10-09, the most
     precise date bounds the range (and is the one displayed). Dates that contradict each other
     (an empty intersection: the article's 9 October 2009 and another source's 3 October) give
     the span of the finest of them (3-9 October 2009), and the date shown is the finest one
     that holds for all of it ("2009").
   - A span: `schema:startDate` bounds the range from below, `schema:endDate` from above. A thing
     with only a start date has no latest date, one with only an end date no earliest date.
   - A thing with no date of its own is dated through the event it is part of
     (`schema:superEvent`, or `schema:subEvent` the other way) or, for a document, the event it
     was adopted at (`ots:adoptedAt`, `ots:adopted` the other way): it gets that event's range
     and displayed date.
   - An order the data states narrows the range: a thing `ots:after` (or `ots:firstVisitAfter`)
     another begins the day after the other's latest date at the earliest; a thing `ots:before`
     another ends the day before the other's earliest date at the latest; both ways (A after B
     also bounds B). An order that would leave no day at all is ignored (the data contradicts
     itself; the range stays as the dates give it).
2. An event whose bounds lie inside a period's interval `ots:fallsInPeriod` that period.

>>> date_bounds("1994", "http://www.w3.org/2001/XMLSchema#gYear")
(datetime.date(1994, 1, 1), datetime.date(1994, 12, 31))
>>> date_bounds("2009-10", "http://www.w3.org/2001/XMLSchema#gYearMonth")
(datetime.date(2009, 10, 1), datetime.date(2009, 10, 31))
>>> date_bounds("--06-24", "http://www.w3.org/2001/XMLSchema#gMonthDay") is None
True
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from otsgraph.core.namespaces import OTS, SCHEMA

from .engine import TEMPORAL_RULE, Derivation, TripleKey

XSD = "http://www.w3.org/2001/XMLSchema#"
TIME = "http://www.w3.org/2006/time#"
XSD_DATE = NamedNode(XSD + "date")
ONE_DAY = dt.timedelta(days=1)

POINT_PROPERTIES = {NamedNode(str(OTS.date)), NamedNode(str(SCHEMA.foundingDate))}
START = NamedNode(str(SCHEMA.startDate))
END = NamedNode(str(SCHEMA.endDate))
DATE_PROPERTIES = POINT_PROPERTIES | {START, END}
#: thing -> the event it is part of / was adopted at (dated through it when it has no date)
WITHIN = {NamedNode(str(SCHEMA.superEvent)), NamedNode(str(OTS.adoptedAt))}
CONTAINS = {NamedNode(str(SCHEMA.subEvent)), NamedNode(str(OTS.adopted))}  # the same, other way
AFTER = {NamedNode(str(OTS.after)), NamedNode(str(OTS.firstVisitAfter))}
BEFORE = {NamedNode(str(OTS.before))}
#: every predicate the date rule reads besides the dates (the gate re-runs the rule when one changes)
LINK_PROPERTIES = WITHIN | CONTAINS | AFTER | BEFORE
EARLIEST = NamedNode(str(OTS.earliestDate))
LATEST = NamedNode(str(OTS.latestDate))
DISPLAY = NamedNode(str(OTS.displayDate))
FALLS_IN = NamedNode(str(OTS.fallsInPeriod))
#: what the rule writes
OUTPUT_PROPERTIES = (EARLIEST, LATEST, DISPLAY, FALLS_IN)
HAS_BEGINNING = NamedNode(TIME + "hasBeginning")
HAS_END = NamedNode(TIME + "hasEnd")
IN_YEAR = NamedNode(TIME + "inXSDgYear")
IN_DATE = NamedNode(TIME + "inXSDDate")
BOUNDS_RULE = TEMPORAL_RULE + "/date-bounds"
#: every predicate the rule reads: its output depends on the triples with these and on no other
READS = frozenset(DATE_PROPERTIES | LINK_PROPERTIES | {HAS_BEGINNING, HAS_END, IN_YEAR, IN_DATE})


def date_bounds(lexical: str, datatype: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date literal can mean; None when it has no year or is malformed."""
    try:
        if datatype == XSD + "date":
            day = dt.date.fromisoformat(lexical[:10])
            return day, day
        if datatype == XSD + "gYearMonth":
            year, month = int(lexical[:4]), int(lexical[5:7])
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        if datatype == XSD + "gYear":
            year = int(lexical[:4])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if datatype == XSD + "dateTime":
            day = dt.date.fromisoformat(lexical[:10])
            return day, day
    except ValueError:
        return None
    return None


def _literal_bounds(term) -> tuple[dt.date, dt.date] | None:
    return date_bounds(term.value, term.datatype.value) if isinstance(term, Literal) else None


def _shown(literals: list[Literal], low: dt.date | None, high: dt.date | None) -> Literal | None:
    """The most precise of the dates that hold for the whole range [low, high] (ties: by text).

    Dates that agree: the finest one ("2009-10-09" beside "2009"). Days that contradict each
    other: the coarser date both lie in ("2009"), since neither day holds for the whole range.
    """
    dated = [(b, lit) for lit in literals if (b := _literal_bounds(lit))]
    if not dated:
        return None
    holding = [
        (b, lit) for b, lit in dated if (low is None or b[0] <= low) and (high is None or high <= b[1])
    ]
    return min(holding or dated, key=lambda d: (d[0][1] - d[0][0], d[1].value))[1]


def _minimal(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """The spans that contain no other (a coarser date adds nothing to a finer one inside it)."""
    return [a for a in spans if not any(b != a and a[0] <= b[0] and b[1] <= a[1] for b in spans)]


@dataclass
class Range:
    """What the data says about when a thing was: its bounds (None: unknown), the date to show."""

    low: dt.date | None = None
    high: dt.date | None = None
    display: Literal | None = None
    premises: set = field(default_factory=set)

    def narrowed(self, low: dt.date | None = None, high: dt.date | None = None) -> bool:
        """Narrow to [low, high] unless that would leave no day; True when the range changed."""
        lows = [d for d in (self.low, low) if d is not None]
        highs = [d for d in (self.high, high) if d is not None]
        new_low, new_high = max(lows, default=None), min(highs, default=None)
        if new_low is not None and new_high is not None and new_low > new_high:
            return False
        changed = (new_low, new_high) != (self.low, self.high)
        self.low, self.high = new_low, new_high
        return changed


def _own_range(facts: list[TripleKey]) -> Range | None:
    """The range a thing's own dates give (see the module's rule 1), or None when they give none."""
    points = [f[2] for f in facts if f[1] in POINT_PROPERTIES and _literal_bounds(f[2])]
    starts = [f[2] for f in facts if f[1] == START and _literal_bounds(f[2])]
    ends = [f[2] for f in facts if f[1] == END and _literal_bounds(f[2])]
    if not (points or starts or ends):
        return None
    lows = [_literal_bounds(x)[0] for x in points + starts]
    highs = [_literal_bounds(x)[1] for x in points + ends]
    low, high = max(lows, default=None), min(highs, default=None)
    if low is not None and high is not None and low > high:  # dates that contradict each other
        spans = [_literal_bounds(x) for x in points]
        if starts or ends:
            span_low = min((_literal_bounds(x)[0] for x in starts), default=None)
            span_high = max((_literal_bounds(x)[1] for x in ends), default=None)
            spans.append((span_low or span_high, span_high or span_low))
        spans = _minimal(spans)
        low, high = min(b[0] for b in spans), max(b[1] for b in spans)
    display = _shown(points, low, high) if points else _shown(starts, None, None)
    return Range(low, high, display, set(facts))


def date_ranges(triples: Iterable[TripleKey]) -> dict:
    """Every dated thing's Range: its own dates, dates through its parent event, stated orders."""
    facts: dict = defaultdict(list)
    parents: dict = defaultdict(list)  # thing -> [(parent, premise)]
    orders: list[tuple] = []  # (later, earlier, premise)
    for t in triples:
        s, p, o = t
        if p in DATE_PROPERTIES and isinstance(o, Literal):
            facts[s].append(t)
        elif isinstance(o, Literal):
            continue
        elif p in WITHIN:
            parents[s].append((o, t))
        elif p in CONTAINS:
            parents[o].append((s, t))
        elif p in AFTER:
            orders.append((s, o, t))
        elif p in BEFORE:
            orders.append((o, s, t))
    ranges: dict = {}
    for thing, own in facts.items():
        if (found := _own_range(own)) is not None:
            ranges[thing] = found
    own_dated = set(ranges)
    nodes = own_dated | set(parents) | {n for later, earlier, _ in orders for n in (later, earlier)}
    for _ in range(len(nodes) + 2):  # each round narrows or stops; a chain of n orders needs n rounds
        changed = False
        for thing, links in sorted(parents.items(), key=lambda item: str(item[0])):
            if thing in own_dated:
                continue
            for parent, premise in sorted(links, key=lambda link: str(link[0])):
                if parent not in ranges or parent == thing:
                    continue
                source = ranges[parent]
                target = ranges.setdefault(thing, Range())
                shown = target.display is None and source.display is not None
                if target.narrowed(source.low, source.high) or shown:
                    changed = True
                    target.premises |= source.premises | {premise}
                    target.display = target.display or source.display
        for later, earlier, premise in orders:
            first = ranges.get(earlier)
            if first is not None and first.high is not None:
                target = ranges.setdefault(later, Range())
                if target.narrowed(low=first.high + ONE_DAY):
                    changed = True
                    target.premises |= first.premises | {premise}
            then = ranges.get(later)
            if then is not None and then.low is not None:
                target = ranges.setdefault(earlier, Range())
                if target.narrowed(high=then.low - ONE_DAY):
                    changed = True
                    target.premises |= then.premises | {premise}
        if not changed:
            break
    return {thing: r for thing, r in ranges.items() if r.low or r.high or r.display}


def _instant_bounds(node, by_subject) -> tuple[dt.date, dt.date] | None:
    for prop in (IN_DATE, IN_YEAR):
        for value in by_subject.get(node, {}).get(prop, ()):
            if isinstance(value, Literal):
                bounds = date_bounds(value.value, value.datatype.value)
                if bounds:
                    return bounds
    return None


def temporal_triples(
    triples: Iterable[TripleKey],
) -> tuple[set[TripleKey], dict[TripleKey, Derivation]]:
    """Date ranges, displayed dates and placement in periods, with derivations."""
    triples = [t for t in triples if t[1] in READS]  # (most of a graph is not about dates)
    by_subject: dict = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        by_subject[s][p].append(o)
    out: set[TripleKey] = set()
    why: dict[TripleKey, Derivation] = {}
    ranges = date_ranges(triples)
    for subject, found in ranges.items():
        premises = tuple(sorted(found.premises, key=str))
        values = [(EARLIEST, found.low), (LATEST, found.high)]
        for prop, day in values:
            if day is not None:
                t = (subject, prop, Literal(day.isoformat(), datatype=XSD_DATE))
                out.add(t)
                why[t] = Derivation(BOUNDS_RULE, premises)
        if found.display is not None:
            t = (subject, DISPLAY, found.display)
            out.add(t)
            why[t] = Derivation(BOUNDS_RULE, premises)
    periods = []
    for subject, props in by_subject.items():
        begins, ends = props.get(HAS_BEGINNING, []), props.get(HAS_END, [])
        if not begins or not ends:
            continue
        start, end = _instant_bounds(begins[0], by_subject), _instant_bounds(ends[0], by_subject)
        if start and end:
            premises = ((subject, HAS_BEGINNING, begins[0]), (subject, HAS_END, ends[0]))
            periods.append((subject, start[0], end[1], premises))
    for subject, found in ranges.items():
        if found.low is None or found.high is None:
            continue
        for period, start, end, premises in periods:
            if subject != period and start <= found.low and found.high <= end:
                t = (subject, FALLS_IN, period)
                out.add(t)
                why[t] = Derivation(TEMPORAL_RULE, tuple(sorted(found.premises, key=str)) + premises)
    return out, why
