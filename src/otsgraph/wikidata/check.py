"""`otsgraph link --check`: our facts about linked entities against Wikidata's statements.

Compared, for each entity with a link (values that are items are mapped through our links):
dates (ots:date, schema:startDate/endDate/foundingDate against P585, P580/P582, P571), memberships
(our member/founder/observer nodes against P463 "member of" on the member state: the direction
Wikidata uses for membership; P527 "has part" on the organisation is a part-whole relation and
is not read), offices (ots:OfficeTerm against P39 with its P580/P582 qualifiers), locations
(ots:heldIn against P276, ots:inCountry against P17), GDP and population (figures by reference
year against P2131 and P1082 by their P585 year). The table in docs/wikidata.md says the same.

Verdicts: agree, disagree, only-ours (Wikidata has nothing for it), only-wikidata (Wikidata has a
fact of a kind we compare that our graph lacks). Dates are compared at the coarser precision of
the two; figures agree within FIGURE_TOLERANCE (the article rounds, e.g. "292,5 млрд").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from otsgraph.core.namespaces import OTS, RES, SCHEMA

from .client import MissingRecording, WikidataClient
from .local import ProjectData, short
from .search import Entity, get_entities

FIGURE_TOLERANCE = Decimal("0.02")
AGREE, DISAGREE, ONLY_OURS, ONLY_WIKIDATA = "agree", "disagree", "only-ours", "only-wikidata"
DATE_PROPERTIES = {
    str(OTS.date): ("P585", "P580", "P571"),
    str(SCHEMA.startDate): ("P580", "P585", "P571"),
    str(SCHEMA.endDate): ("P582",),
    str(SCHEMA.foundingDate): ("P571",),
}
LOCATION_PROPERTIES = {str(OTS.heldIn): "P276", str(OTS.inCountry): "P17"}
FIGURE_PROPERTIES = {
    str(RES["indicator-gdp"]): ("gdp", "P2131"),
    str(RES["indicator-population"]): ("population", "P1082"),
}


@dataclass
class Row:
    entity: str
    qid: str
    topic: str
    property: str
    ours: str
    wikidata: str
    verdict: str
    note: str = ""


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """A date at some precision: 9 year, 10 month, 11 day (Wikidata's scale); month-day only if no year."""

    year: int | None
    month: int | None
    day: int | None
    precision: int

    def text(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        parts = [f"{self.year:04d}", f"{self.month or 0:02d}", f"{self.day or 0:02d}"]
        return "-".join(parts[: self.precision - 8])

    def agrees(self, other: Day) -> bool:
        precision = min(self.precision, other.precision)
        mine, theirs = (self.year, self.month, self.day), (other.year, other.month, other.day)
        if self.year is None or other.year is None:
            return mine[1:] == theirs[1:]
        return mine[: precision - 8] == theirs[: precision - 8]

    def key(self) -> tuple[int, int, int]:
        return (self.year or 0, self.month or 0, self.day or 0)


def our_day(lexical: str) -> Day | None:
    """xsd:date, gYearMonth, gYear or gMonthDay lexical forms."""
    if lexical.startswith("--"):
        month, day = lexical[2:].split("-")[:2]
        return Day(None, int(month), int(day[:2]), 11)
    parts = lexical.split("-")
    try:
        numbers = [int(p[:2]) if i else int(p) for i, p in enumerate(parts[:3])]
    except ValueError:
        return None
    return Day(numbers[0], *[*numbers[1:], None, None][:2], precision=8 + len(numbers))


_WIKIDATA_TIME = re.compile(r"^([+-]\d+)-(\d\d)-(\d\d)T")


def wikidata_day(value: dict[str, Any]) -> Day | None:
    """A Wikidata time value ({"time": "+2009-10-03T00:00:00Z", "precision": 11}).

    >>> wikidata_day({"time": "+2009-10-03T00:00:00Z", "precision": 11})
    Day(year=2009, month=10, day=3, precision=11)
    >>> wikidata_day({"time": "-0700-00-00T00:00:00Z", "precision": 9})  # BCE: the sign stays
    Day(year=-700, month=None, day=None, precision=9)
    """
    time, precision = value.get("time", ""), int(value.get("precision", 0))
    if precision < 9 or not time:
        return None
    found = _WIKIDATA_TIME.match(time)
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())  # the year keeps its sign (BCE)
    return Day(year, month or None, day or None, min(precision, 11))


def _snak_value(snak: dict[str, Any]) -> Any:
    return snak.get("datavalue", {}).get("value") if snak.get("snaktype") == "value" else None


def _item(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else None


def _qualifier_days(statement: dict[str, Any], prop: str) -> list[Day]:
    out = []
    for snak in statement.get("qualifiers", {}).get(prop, []):
        value = _snak_value(snak)
        day = wikidata_day(value) if value else None
        if day:
            out.append(day)
    return out


# -- the comparison ---------------------------------------------------------------------


class Checker:
    def __init__(self, data: ProjectData, items: dict[str, Entity]) -> None:
        self.data = data
        self.items = items  # QID → entity
        self.rows: list[Row] = []

    def add(
        self, entity: str, topic: str, prop: str, ours: str, wikidata: str, verdict: str, note: str = ""
    ) -> None:
        qid = self.data.links.get(entity, "")
        self.rows.append(Row(short(entity), qid, topic, prop, ours, wikidata, verdict, note))

    def name(self, iri: str) -> str:
        qid = self.data.links.get(iri)
        return f"{short(iri)} (wd:{qid})" if qid else short(iri)

    def their_name(self, qid: str) -> str:
        ours = self.data.entity_for(qid)
        return f"wd:{qid} ({short(ours)})" if ours else f"wd:{qid}"

    def item_of(self, entity: str) -> Entity | None:
        qid = self.data.links.get(entity)
        return self.items.get(qid) if qid else None

    def dates(self) -> None:
        found: dict[tuple[str, str], list[Day]] = defaultdict(list)
        for row in self.data.select("dates"):
            day = our_day(row["date"].value)
            if day:
                found[(row["entity"].value, row["property"].value)].append(day)
        for (entity, prop), days in sorted(found.items()):
            item = self.item_of(entity)
            if item is None:
                continue
            # a coarse date that a finer one of ours refines says nothing more ("2009" and "2009-10-09")
            days = [
                d
                for d in set(days)
                if not any(o != d and o.precision > d.precision and d.agrees(o) for o in days)
            ]
            theirs, used = [], ""
            for pid in DATE_PROPERTIES[prop]:
                theirs = [
                    d
                    for s in item.statements(pid)
                    if (v := _snak_value(s["mainsnak"])) and (d := wikidata_day(v))
                ]
                if theirs:
                    used = pid
                    break
            label = short(prop).replace("https://w3id.org/otsgraph/ontology/", "ots:")
            for day in sorted(days, key=Day.key):
                if not theirs:
                    self.add(
                        entity,
                        "date",
                        f"{_curie(prop)} / {'|'.join(DATE_PROPERTIES[prop])}",
                        day.text(),
                        "",
                        ONLY_OURS,
                    )
                    continue
                agreeing = [t for t in theirs if day.agrees(t)]
                shown = ", ".join(t.text() for t in theirs)
                verdict = AGREE if agreeing else DISAGREE
                self.add(entity, "date", f"{_curie(prop)} / {used}", day.text(), shown, verdict)
            del label

    def memberships(self) -> None:
        ours: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.data.select("memberships"):
            ours[(row["state"].value, row["organisation"].value)].add(row["role"].value)
        organisations = {org for _, org in ours}
        for (state, org), roles in sorted(ours.items()):
            role = "observer" if roles == {"observer"} else "member"
            item, org_qid = self.item_of(state), self.data.links.get(org)
            if item is None or org_qid is None:
                continue
            statements = [s for s in item.statements("P463") if _item(_snak_value(s["mainsnak"])) == org_qid]
            theirs = self._membership_text(statements, org_qid)
            if not statements:
                self.add(state, "membership", "P463", f"{role} of {self.name(org)}", "", ONLY_OURS)
            elif role == "observer" and not any("P2868" in s.get("qualifiers", {}) for s in statements):
                self.add(
                    state,
                    "membership",
                    "P463",
                    f"observer of {self.name(org)}",
                    theirs,
                    DISAGREE,
                    "Wikidata's answer has P463 member of, with no role qualifier (an observer role may "
                    "be a qualifier its source dropped); the article says observer",
                )
            else:
                self.add(state, "membership", "P463", f"{role} of {self.name(org)}", theirs, AGREE)
        # members Wikidata records for the organisations whose memberships we describe
        for state, qid in sorted(self.data.links.items()):
            item = self.items.get(qid)
            if item is None:
                continue
            for statement in item.statements("P463"):
                target = _item(_snak_value(statement["mainsnak"]))
                org = self.data.entity_for(target) if target else None
                if org in organisations and (state, org) not in ours:
                    self.add(
                        state,
                        "membership",
                        "P463",
                        "",
                        self._membership_text([statement], target),
                        ONLY_WIKIDATA,
                    )

    def _membership_text(self, statements: list[dict[str, Any]], org_qid: str) -> str:
        parts = []
        for s in statements:
            text = f"member of {self.their_name(org_qid)}"
            roles = [_item(_snak_value(q)) for q in s.get("qualifiers", {}).get("P2868", [])]
            if roles:
                text += " as " + ", ".join(f"wd:{r}" for r in roles if r)
            starts = _qualifier_days(s, "P580")
            if starts:
                text += f" from {starts[0].text()}"
            parts.append(text)
        return "; ".join(parts)

    def offices(self) -> None:
        ours: dict[tuple[str, str], list[Day]] = defaultdict(list)
        for row in self.data.select("offices"):
            key = (row["person"].value, row["office"].value)
            ours.setdefault(key, [])
            if "date" in row and (day := our_day(row["date"].value)):
                ours[key].append(day)
        offices = {office for _, office in ours}
        for (person, office), days in sorted(ours.items()):
            item, office_qid = self.item_of(person), self.data.links.get(office)
            if item is None or office_qid is None:
                continue
            statements = [
                s for s in item.statements("P39") if _item(_snak_value(s["mainsnak"])) == office_qid
            ]
            attested = ", ".join(d.text() for d in sorted(set(days), key=Day.key)) or "no date"
            if not statements:
                self.add(person, "office", "P39", f"{self.name(office)} (attested {attested})", "", ONLY_OURS)
                continue
            terms = [(_qualifier_days(s, "P580"), _qualifier_days(s, "P582")) for s in statements]
            shown = "; ".join(
                f"{self.their_name(office_qid)} {(a[0].text() if a else '?')}–{(b[0].text() if b else '')}"
                for a, b in terms
            )
            outside = [d for d in days if d.year and not any(_within(d, a, b) for a, b in terms)]
            if outside:
                self.add(
                    person,
                    "office",
                    "P39",
                    f"{self.name(office)} (attested {attested})",
                    shown,
                    DISAGREE,
                    "attested on " + ", ".join(d.text() for d in outside) + ", outside Wikidata's term(s)",
                )
            else:
                self.add(person, "office", "P39", f"{self.name(office)} (attested {attested})", shown, AGREE)
        for person, qid in sorted(self.data.links.items()):
            item = self.items.get(qid)
            if item is None:
                continue
            for statement in item.statements("P39"):
                target = _item(_snak_value(statement["mainsnak"]))
                office = self.data.entity_for(target) if target else None
                if office in offices and (person, office) not in ours:
                    self.add(person, "office", "P39", "", self.their_name(target), ONLY_WIKIDATA)

    def locations(self) -> None:
        ours: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.data.select("locations"):
            ours[(row["entity"].value, row["property"].value)].add(row["place"].value)
        for (entity, prop), places in sorted(ours.items()):
            item = self.item_of(entity)
            if item is None:
                continue
            pid = LOCATION_PROPERTIES[prop]
            theirs = {q for s in item.statements(pid) if (q := _item(_snak_value(s["mainsnak"])))}
            shown = ", ".join(self.their_name(q) for q in sorted(theirs))
            for place in sorted(places):
                place_qid = self.data.links.get(place)
                if not theirs:
                    self.add(entity, "location", f"{_curie(prop)} / {pid}", self.name(place), "", ONLY_OURS)
                elif place_qid in theirs:
                    self.add(entity, "location", f"{_curie(prop)} / {pid}", self.name(place), shown, AGREE)
                elif place_qid is None:
                    self.add(
                        entity,
                        "location",
                        f"{_curie(prop)} / {pid}",
                        self.name(place),
                        shown,
                        DISAGREE,
                        "our place has no Wikidata link, so it cannot be matched",
                    )
                else:
                    self.add(entity, "location", f"{_curie(prop)} / {pid}", self.name(place), shown, DISAGREE)

    def figures(self) -> None:
        rows = sorted(
            self.data.select("figures"),
            key=lambda r: (r["about"].value, r["indicator"].value, r["year"].value),
        )
        for row in rows:
            entity = row["about"].value
            item = self.item_of(entity)
            if item is None:
                continue
            topic, pid = FIGURE_PROPERTIES[row["indicator"].value]
            ours, year = Decimal(row["value"].value), int(row["year"].value[:4])
            notes = (
                ["the article's figure is a forecast"]
                if "forecast" in row and row["forecast"].value == "true"
                else []
            )
            same_year, years, undated = [], [], 0
            for statement in item.statements(pid):
                value = _snak_value(statement["mainsnak"])
                when = _qualifier_days(statement, "P585")
                if not value:
                    continue
                if not when:
                    undated += 1
                    continue
                years.append(when[0].year)
                if when[0].year == year:
                    same_year.append(Decimal(value["amount"]))
            text = f"{_number(ours)} ({year})"
            prop = f"{pid} (P585 {year})"
            if not same_year:
                if years:
                    notes.append(f"Wikidata's years: {_years(years)}")
                if undated:
                    notes.append(f"Wikidata has {undated} value(s) with no P585 year, not compared")
                self.add(entity, topic, prop, text, "", ONLY_OURS, "; ".join(notes))
                continue
            shown = ", ".join(f"{_number(v)} ({year})" for v in same_year)
            close = [v for v in same_year if v and abs(v - ours) / abs(v) <= FIGURE_TOLERANCE]
            if close:
                self.add(entity, topic, prop, text, shown, AGREE, "; ".join(notes))
            else:
                off = min(abs(v - ours) / abs(v) for v in same_year if v) if any(same_year) else Decimal(0)
                notes.append(f"differs by {off * 100:.1f}% (tolerance {FIGURE_TOLERANCE * 100:.0f}%)")
                self.add(entity, topic, prop, text, shown, DISAGREE, "; ".join(notes))


def _within(day: Day, starts: list[Day], ends: list[Day]) -> bool:
    if starts and day.key() < starts[0].key() and not day.agrees(starts[0]):
        return False
    return not (ends and day.key() > ends[0].key() and not day.agrees(ends[0]))


def _curie(iri: str) -> str:
    for prefix, namespace in (("ots:", str(OTS)), ("schema:", str(SCHEMA))):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def _number(value: Decimal) -> str:
    return f"{value.normalize():,f}".replace(",", " ")


def _years(years: list[int | None]) -> str:
    known = sorted({y for y in years if y})
    return f"{known[0]}–{known[-1]}" if len(known) > 2 else ", ".join(map(str, known))


@dataclass
class CheckReport:
    rows: list[Row]
    compared_against: str
    skipped: list[str]  # entities not compared (no recording), when asked to skip them

    def counts(self) -> dict[str, int]:
        return {
            v: sum(1 for r in self.rows if r.verdict == v)
            for v in (AGREE, DISAGREE, ONLY_OURS, ONLY_WIKIDATA)
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "compared_against": self.compared_against,
            "counts": self.counts(),
            "rows": [asdict(r) for r in self.rows],
            "not_compared": self.skipped,
        }


def fetch_items(
    client: WikidataClient, qids: list[str], skip_missing: bool
) -> tuple[dict[str, Entity], list[str]]:
    """Each linked item fetched on its own (one request per item, so recordings stay per item)."""
    items: dict[str, Entity] = {}
    skipped: list[str] = []
    for qid in sorted(set(qids), key=lambda q: (len(q), q)):
        try:
            items.update(get_entities(client, [qid], props=("labels", "claims"), languages=("en",)))
        except MissingRecording:
            if not skip_missing:
                raise
            skipped.append(qid)
    return items, skipped


def run_check(
    client: WikidataClient, data: ProjectData, compared_against: str, skip_missing: bool = False
) -> CheckReport:
    items, skipped = fetch_items(client, list(data.links.values()), skip_missing)
    checker = Checker(data, items)
    checker.dates()
    checker.memberships()
    checker.offices()
    checker.locations()
    checker.figures()
    skipped_entities = sorted(f"{short(e)} (wd:{q})" for e, q in data.links.items() if q in skipped)
    return CheckReport(checker.rows, compared_against, skipped_entities)


def format_table(report: CheckReport) -> str:
    headers = ("verdict", "entity", "topic", "property", "ours", "Wikidata", "note")
    rows = [
        (r.verdict, f"{r.entity} wd:{r.qid}", r.topic, r.property, r.ours, r.wikidata, r.note)
        for r in report.rows
    ]
    order = {DISAGREE: 0, ONLY_OURS: 1, ONLY_WIKIDATA: 2, AGREE: 3}
    rows.sort(key=lambda r: (order[r[0]], r[1], r[2], r[3]))
    widths = [min(48, max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(headers)]
    lines = [f"Compared against: {report.compared_against}", ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_cut(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    counts = report.counts()
    lines.append("")
    lines.append(", ".join(f"{n} {v}" for v, n in counts.items()) + f" ({len(report.rows)} facts compared)")
    if report.skipped:
        lines.append("Not compared (no recording): " + ", ".join(report.skipped))
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
