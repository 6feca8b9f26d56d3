"""Temporal rules OWL RL cannot express, because they compare dates.

1. Every dated thing gets `ots:earliestDate` and `ots:latestDate` (xsd:date), the bounds of
   the date the article gives at whatever precision (a year, a month, a day, a span).
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

from pyoxigraph import Literal, NamedNode

from .namespaces import OTS, SCHEMA
from .reasoning import TEMPORAL_RULE, Derivation, TripleKey

XSD = "http://www.w3.org/2001/XMLSchema#"
TIME = "http://www.w3.org/2006/time#"
XSD_DATE = NamedNode(XSD + "date")

DATE_PROPERTIES = {
    NamedNode(str(OTS.date)),
    NamedNode(str(SCHEMA.startDate)),
    NamedNode(str(SCHEMA.endDate)),
    NamedNode(str(SCHEMA.foundingDate)),
}
EARLIEST = NamedNode(str(OTS.earliestDate))
LATEST = NamedNode(str(OTS.latestDate))
FALLS_IN = NamedNode(str(OTS.fallsInPeriod))
HAS_BEGINNING = NamedNode(TIME + "hasBeginning")
HAS_END = NamedNode(TIME + "hasEnd")
IN_YEAR = NamedNode(TIME + "inXSDgYear")
IN_DATE = NamedNode(TIME + "inXSDDate")


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
    """Date bounds for dated things and their placement in periods, with derivations."""
    by_subject: dict = defaultdict(lambda: defaultdict(list))
    dated: dict = defaultdict(list)
    for s, p, o in triples:
        by_subject[s][p].append(o)
        if p in DATE_PROPERTIES and isinstance(o, Literal):
            dated[s].append((s, p, o))
    out: set[TripleKey] = set()
    why: dict[TripleKey, Derivation] = {}
    bounds_of: dict = {}
    for subject, facts in dated.items():
        spans = [b for f in facts if (b := date_bounds(f[2].value, f[2].datatype.value))]
        if not spans:
            continue
        low, high = min(b[0] for b in spans), max(b[1] for b in spans)
        bounds_of[subject] = (low, high, tuple(facts))
        for prop, day in ((EARLIEST, low), (LATEST, high)):
            t = (subject, prop, Literal(day.isoformat(), datatype=XSD_DATE))
            out.add(t)
            why[t] = Derivation(TEMPORAL_RULE + "/date-bounds", tuple(facts))
    periods = []
    for subject, props in by_subject.items():
        begins, ends = props.get(HAS_BEGINNING, []), props.get(HAS_END, [])
        if not begins or not ends:
            continue
        start, end = _instant_bounds(begins[0], by_subject), _instant_bounds(ends[0], by_subject)
        if start and end:
            premises = ((subject, HAS_BEGINNING, begins[0]), (subject, HAS_END, ends[0]))
            periods.append((subject, start[0], end[1], premises))
    for subject, (low, high, facts) in bounds_of.items():
        for period, start, end, premises in periods:
            if subject != period and start <= low and high <= end:
                t = (subject, FALLS_IN, period)
                out.add(t)
                why[t] = Derivation(TEMPORAL_RULE, facts + premises)
    return out, why
