"""The article's facts that Wikidata lacks, as QuickStatements (V1) lines for a person to review.

One statement a line, tab-separated: item, property, value, then qualifiers (Pnnn value) and the
reference (Snnn value). Sources from `--check`'s only-ours rows: memberships (P463), offices
(P39), dates (P585/P580/P582/P571), locations (P276/P17), GDP (P2131, US dollars, Q4917) and
population (P1082), each with its year as a P585 qualifier. Forecasts are left out: Wikidata's
GDP statements are for measured years.

The reference: S248 "stated in" with the article's item, if the article has one (a skos:exactMatch
on res:source-article); else S854 "reference URL" if it has a schema:url; the article's title
(S1476, in Kazakh) and the date it was retrieved (S813) are added in both cases. The source
article of this project has neither an item nor a URL, so its lines carry only S1476 and S813, and
the reviewer must complete the reference before submitting (the command says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .check import ONLY_OURS, CheckReport, Day, our_day
from .local import ProjectData

# The currencies of the article's amounts, as their Wikidata items (the curated link of res:unit-usd,
# data/links/entities.ttl, with its evidence), for projects whose links lack them; an amount in any
# other unit is left out of the export rather than given a wrong one.
CURRENCIES = {"https://w3id.org/otsgraph/resource/unit-usd": "Q4917"}


@dataclass(frozen=True)
class Reference:
    item: str | None
    url: str | None
    title: str | None

    @property
    def complete(self) -> bool:
        return bool(self.item or self.url)

    def columns(self, retrieved: date) -> list[str]:
        out = []
        if self.item:
            out += ["S248", self.item]
        elif self.url:
            out += ["S854", quoted(self.url)]
        if self.title:
            out += ["S1476", f"kk:{quoted(self.title)}"]
        out += ["S813", time_value(Day(retrieved.year, retrieved.month, retrieved.day, 11))]
        return out


def quoted(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\t", " ").replace("\n", " ") + '"'


def time_value(day: Day) -> str:
    """+YYYY-MM-DDT00:00:00Z/precision (9 year, 10 month, 11 day)."""
    return f"+{day.year:04d}-{day.month or 0:02d}-{day.day or 0:02d}T00:00:00Z/{day.precision}"


def quantity(value: Decimal, unit: str | None = None) -> str:
    text = format(value.normalize(), "f")
    return text + (f"U{unit[1:]}" if unit else "")


def article_reference(data: ProjectData) -> Reference:
    rows = data.select("source-article")
    row = rows[0] if rows else {}
    item = row["item"].value.rsplit("/", 1)[-1] if "item" in row else None
    return Reference(
        item, row["url"].value if "url" in row else None, row["label"].value if "label" in row else None
    )


def statements(report: CheckReport, data: ProjectData) -> list[list[str]]:
    """The main columns (item, property, value, qualifiers…) of each exportable only-ours fact."""
    out: list[list[str]] = []
    figures = {
        (r["about"].value, r["indicator"].value.rsplit("-", 1)[-1], int(r["year"].value[:4])): r
        for r in data.select("figures")
    }
    for row in report.rows:
        if row.verdict != ONLY_OURS or not row.qid:
            continue
        entity = data_iri(row.entity)
        if row.topic == "membership" and row.ours.startswith("member of"):
            org_qid = _qid_in(row.ours)
            if org_qid:
                out.append([row.qid, "P463", org_qid])
        elif row.topic == "office":
            office_qid = _qid_in(row.ours)
            if office_qid:
                out.append([row.qid, "P39", office_qid])
        elif row.topic == "date":
            day = our_day(row.ours)
            prop = row.property.split(" / ")[-1].split("|")[0]
            if day and day.year:
                out.append([row.qid, prop, time_value(day)])
        elif row.topic == "location":
            place_qid = _qid_in(row.ours)
            if place_qid:
                out.append([row.qid, row.property.split(" / ")[-1], place_qid])
        elif row.topic in ("gdp", "population"):
            year = int(row.ours.rsplit("(", 1)[1].rstrip(")"))
            figure = figures.get((entity, row.topic, year))
            if figure is None or ("forecast" in figure and figure["forecast"].value == "true"):
                continue
            value = Decimal(figure["value"].value)
            prop = "P2131" if row.topic == "gdp" else "P1082"
            unit = None  # a population is a count
            if row.topic == "gdp":  # an amount needs its currency, as the item its unit is linked to
                unit_iri = figure["unit"].value if "unit" in figure else ""
                unit = data.links.get(unit_iri) or CURRENCIES.get(unit_iri)
                if unit is None:
                    continue
            out.append([row.qid, prop, quantity(value, unit), "P585", time_value(Day(year, None, None, 9))])
    return out


def data_iri(curie: str) -> str:
    return "https://w3id.org/otsgraph/resource/" + curie.removeprefix("res:")


def _qid_in(text: str) -> str | None:
    """The first (wd:Qnnn) in a check row's text."""
    start = text.find("(wd:Q")
    if start < 0:
        return None
    return text[start + 4 : text.index(")", start)]


def export(
    report: CheckReport, data: ProjectData, retrieved: date | None = None
) -> tuple[str, Reference, int]:
    """QuickStatements V1 text, the reference used, and the number of lines."""
    retrieved = retrieved or date.today()
    reference = article_reference(data)
    lines = ["\t".join(columns + reference.columns(retrieved)) for columns in statements(report, data)]
    return ("\n".join(lines) + "\n" if lines else ""), reference, len(lines)
