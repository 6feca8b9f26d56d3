"""Dates as given (issue 12): a year reads as the year, never as its lower bound.

Against the built graph (the derived ranges and displayed dates of the named events), through the
example queries (what they show, in which order), through /timeline.svg on a live server (the order
and the dates shown agree), and through the write gate (the incremental rule equals the full one).
"""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from otsgraph.core.graphs import ASSERTED
from otsgraph.core.store import query
from otsgraph.reasoning import temporal

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = (
    "PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/> "
    "PREFIX schema: <http://schema.org/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)
_RANGES: dict[int, dict] = {}


def ask(build, sparql: str):
    return query(build.store, PREFIXES + sparql)


def ranges(build) -> dict[str, dict]:
    """Each thing's derived ots:earliestDate, ots:latestDate and ots:displayDate, from the built store."""
    if id(build) in _RANGES:
        return _RANGES[id(build)]
    found: dict[str, dict] = _RANGES.setdefault(id(build), {})
    rows = ask(
        build,
        "SELECT ?s ?p ?o WHERE { VALUES ?p { ots:earliestDate ots:latestDate ots:displayDate } ?s ?p ?o }",
    )
    for row in rows:
        entry = found.setdefault(row["s"].value.removeprefix(RES), {})
        entry[row["p"].value.removeprefix(OTS)] = row["o"]
    return found


def span(build, name: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(earliest, latest, displayed lexical form, displayed datatype's local name) of one thing."""
    entry = ranges(build).get(name, {})
    shown = entry.get("displayDate")
    return (
        entry["earliestDate"].value if "earliestDate" in entry else None,
        entry["latestDate"].value if "latestDate" in entry else None,
        shown.value if shown is not None else None,
        shown.datatype.value.rsplit("#", 1)[-1] if shown is not None else None,
    )


def example(build, name: str) -> list[dict]:
    results = query(build.store, (EXAMPLES / f"{name}.rq").read_text(encoding="utf-8"))
    names = [v.value for v in results.variables]
    return [{n: s[n] for n in names} for s in results]


def bounds(literal_text: str) -> tuple[dt.date, dt.date]:
    """The days a displayed date (1992, 2009-10, 2012-08-23 or an ISO interval) can mean."""
    if "/" in literal_text:
        first, last = literal_text.split("/")
        return bounds(first)[0], bounds(last)[1]
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(literal_text)]
    return temporal.date_bounds(literal_text, XSD + kind)


# ----------------------------------------------------------------------------- a year is a year


def test_a_year_only_summit_reads_as_the_year(shipped_build):
    assert span(shipped_build, "summit-tc-2015-astana") == ("2015-01-01", "2015-12-31", "2015", "gYear")
    rows = {
        r["summit"].value.removeprefix(RES): r["date"]
        for r in example(shipped_build, "summits-in-kazakhstan")
    }
    fifth = rows["summit-tc-2015-astana"]
    assert (fifth.value, fifth.datatype.value) == ("2015", XSD + "gYear")  # not "2015-01-01"^^xsd:date


def test_a_year_only_visit_reads_as_the_year(shipped_build):
    rows = {
        r["visit"].value.removeprefix(RES): r["date"].value
        for r in example(shipped_build, "kazakh-visits-to-turkey")
    }
    assert rows["visit-nursultan-nazarbayev-turkey-1994"] == "1994"  # not 1994-01-01
    assert rows["visit-nursultan-nazarbayev-turkey-2003"] == "2003-05"


def test_no_example_shows_a_bound_as_a_date(shipped_build):
    """Every xsd:date an example shows is a date the data gives, never a derived bound (2015-01-01)."""
    given = {
        r["d"].value
        for r in ask(
            shipped_build,
            "SELECT DISTINCT ?d WHERE { VALUES ?p { ots:date schema:startDate schema:endDate "
            "schema:foundingDate } ?s ?p ?d FILTER(DATATYPE(?d) = xsd:date) }",
        )
    }
    shown = 0
    for path in sorted(EXAMPLES.glob("*.rq")):
        for row in example(shipped_build, path.stem):
            for value in row.values():
                if isinstance(value, ox.Literal) and value.datatype.value == XSD + "date":
                    shown += 1
                    assert value.value in given, f"{path.name} shows the derived bound {value.value}"
    assert shown >= 20  # the examples do show dates


# ------------------------------------------------------------------ the most precise date bounds


@pytest.mark.parametrize(
    ("thing", "expected"),
    [
        ("summit-1992-ankara", ("1992-10-31", "1992-10-31", "1992-10-31", "date")),  # "1992" and 31 Oct
        ("strategic-partnership-agreement-2009", ("2009-10-01", "2009-10-31", "2009-10", "gYearMonth")),
    ],
)
def test_the_most_precise_date_bounds_the_range(shipped_build, thing, expected):
    assert span(shipped_build, thing) == expected


@pytest.mark.parametrize("thing", ["summit-2009-nakhchivan", "nakhchivan-agreement-2009"])
def test_nakhchivan_keeps_the_articles_day(shipped_build, thing):
    """The article's "2009" and "2009-10-09" give the day; another source's 3 October (graph:background,
    docs/contradictions.md) widens the range to both readings, never to the whole year."""
    asserted = set(shipped_build.sources.triples(ASSERTED))
    article_only = temporal.date_ranges(asserted)[ox.NamedNode(RES + thing)]
    assert (article_only.low, article_only.high) == (dt.date(2009, 10, 9), dt.date(2009, 10, 9))
    assert article_only.display.value == "2009-10-09"
    earliest, latest, shown, _ = span(shipped_build, thing)
    assert latest == "2009-10-09" and "2009-10-01" <= earliest <= "2009-10-09"
    # the two readings disagree on the day, so the date shown is the one both lie in
    assert shown in ("2009", "2009-10-09")


# --------------------------------------------------------------------------- a stated order


def test_demirels_visit_lies_between_cetins_and_the_embassy(shipped_build):
    assert span(shipped_build, "visit-suleyman-demirel-kazakhstan-1992") == (
        "1992-03-03",  # after Çetin's visit of 2 March 1992
        "1992-05-15",  # before the Turkish embassy opened on 16 May 1992
        "1992",
        "gYear",
    )


def test_the_order_is_quoted_data(shipped_build):
    rows = list(
        ask(
            shipped_build,
            "SELECT ?p ?other ?quote WHERE { GRAPH ?claim { "
            "res:visit-suleyman-demirel-kazakhstan-1992 ?p ?other VALUES ?p { ots:after ots:before } } "
            "?claim ots:quote ?quote }",
        )
    )
    found = {
        (r["p"].value.removeprefix(OTS), r["other"].value.removeprefix(RES)): r["quote"].value for r in rows
    }
    assert set(found) == {
        ("after", "visit-hikmet-cetin-kazakhstan-1992"),
        ("before", "founding-embassy-of-turkey-almaty"),
    }
    assert "Осы сапардан кейін" in found[("after", "visit-hikmet-cetin-kazakhstan-1992")]
    assert "Нәтижесінде" in found[("before", "founding-embassy-of-turkey-almaty")]


def test_turkish_visits_to_kazakhstan_come_in_order(shipped_build):
    rows = example(shipped_build, "turkish-visits-to-kazakhstan")
    visits = [r["visit"].value.removeprefix(RES) for r in rows]
    assert visits == [
        "visit-hikmet-cetin-kazakhstan-1992",
        "visit-suleyman-demirel-kazakhstan-1992",
        "visit-turgut-ozal-kazakhstan-1993",
        "visit-turkish-prime-minister-astana-2005",
        "visit-abdullah-gul-kazakhstan-2010",
        "visit-recep-tayyip-erdogan-kazakhstan-2012",
        "visit-cemil-cicek-kazakhstan-2012",
        "visit-recep-tayyip-erdogan-kazakhstan-2015",
    ]
    shown = [r["date"].value for r in rows]
    assert shown[:3] == ["1992-03-02", "1992", "1993-04-09"]


# ------------------------------------------------------------------ dated through the parent


@pytest.mark.parametrize(
    ("thing", "expected"),
    [
        ("ydsk-first-session-2012", ("2012-10-11", "2012-10-12", "2012-10-11", "date")),
        ("ydsk-second-session-2015", ("2015-04-15", "2015-04-17", "2015-04-15", "date")),
        ("talks-nazarbayev-erdogan-2016", ("2016-08-05", "2016-08-05", "2016-08-05", "date")),
        # two levels up: the statement is part of the press conference, part of the visit
        ("statement-erdogan-press-conference-2016", ("2016-08-05", "2016-08-05", "2016-08-05", "date")),
        ("statement-atambayev-bishkek-2012", ("2012-01-01", "2012-12-31", "2012", "gYear")),
        # a document adopted at an event (ots:adoptedAt) and undated itself
        ("bodrum-declaration-2014", ("2014-01-01", "2014-12-31", "2014", "gYear")),
    ],
)
def test_events_dated_only_through_their_parent(shipped_build, thing, expected):
    assert span(shipped_build, thing) == expected


def test_events_of_2016_include_the_talks(shipped_build):
    events = {r["event"].value.removeprefix(RES) for r in example(shipped_build, "events-of-2016")}
    assert {"talks-nazarbayev-erdogan-2016", "statement-erdogan-press-conference-2016"} <= events


# --------------------------------------------------------------------------- open-ended spans


@pytest.mark.parametrize(
    ("thing", "expected"),
    [
        ("name-turkic-council", (None, "2021-11-12", None, None)),  # used until the renaming
        ("name-kazakh-turkish-lyceums", (None, "2016-10-31", None, None)),
        ("name-organization-of-turkic-states", ("2021-11-12", None, "2021-11-12", "date")),  # from then on
        ("series-turkic-speaking-summits", ("1992-01-01", None, "1992", "gYear")),
    ],
)
def test_a_start_or_an_end_alone_bounds_only_its_side(shipped_build, thing, expected):
    assert span(shipped_build, thing) == expected


def test_every_range_is_consistent_and_shown_by_a_date_that_holds(shipped_build):
    for thing, entry in ranges(shipped_build).items():
        low, high = entry.get("earliestDate"), entry.get("latestDate")
        assert all(v.datatype.value == XSD + "date" for v in (low, high) if v is not None), thing
        if low is not None and high is not None:
            assert low.value <= high.value, thing
        shown = entry.get("displayDate")
        if shown is None:
            continue
        assert shown.datatype.value in {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}, thing
        first, last = bounds(shown.value)
        # the date shown overlaps the range (it holds for the whole of it unless the dates contradict)
        assert (high is None or first.isoformat() <= high.value) and (
            low is None or low.value <= last.isoformat()
        )


# ------------------------------------------------------------------------------ the timeline


@pytest.fixture(scope="module")
def live():
    from server_fixtures import serve

    with serve() as server:
        yield server


@pytest.fixture(scope="module")
def timeline_rows(live):
    response = requests.get(live.url + "/timeline.svg", timeout=30)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    rows = []
    for link in root.iter(SVG + "a"):
        texts = [t.text for t in link.iter(SVG + "text")]
        rows.append((link.get("href").rsplit("/", 1)[-1], texts[0]))
    return rows


def test_explain_says_why_demirels_visit_is_after_2_march(live):
    params = {
        "s": RES + "visit-suleyman-demirel-kazakhstan-1992",
        "p": OTS + "earliestDate",
        "o": f'"1992-03-03"^^<{XSD}date>',
    }
    answer = requests.get(
        live.url + "/explain", params=params, headers={"Accept": "application/json"}, timeout=30
    ).json()
    assert answer["status"] == "inferred"
    premises = {tuple(step["triple"]) for step in answer["steps"] if step["depth"] == 1}
    demirel, cetin = (
        f"<{RES}visit-suleyman-demirel-kazakhstan-1992>",
        f"<{RES}visit-hikmet-cetin-kazakhstan-1992>",
    )
    assert (demirel, f"<{OTS}after>", cetin) in premises
    assert (cetin, f"<{OTS}date>", f'"1992-03-02"^^<{XSD}date>') in premises


def test_timeline_shows_dates_as_given(timeline_rows):
    shown = dict(timeline_rows)
    assert shown["summit-tc-2015-astana"] == "2015"
    assert shown["visit-suleyman-demirel-kazakhstan-1992"] == "1992"
    assert shown["visit-nursultan-nazarbayev-turkey-1994"] == "1994"
    assert shown["summit-1992-ankara"] == "1992-10-31"
    assert not any(text.endswith("-01-01") for _, text in timeline_rows)  # no bound shown as a date


def test_timeline_order_agrees_with_the_dates_shown(timeline_rows):
    order = [name for name, _ in timeline_rows]
    assert (
        order.index("visit-hikmet-cetin-kazakhstan-1992")
        < order.index("visit-suleyman-demirel-kazakhstan-1992")
        < order.index("summit-1992-ankara")
    )
    # no row shows a date wholly before the date of a row above it
    for (above, above_text), (below, below_text) in itertools.pairwise(timeline_rows):
        assert bounds(below_text)[1] >= bounds(above_text)[0], (above, above_text, below, below_text)


# ------------------------------------------------------------------------------ the write gate


def test_the_gate_moves_the_dates_that_depend_on_a_moved_date(tmp_path, tmp_path_factory):
    """Moving the 2012 Bishkek summit moves the remark dated only through it; incremental = full."""
    from gate_support import gate_on, seeded_store_dir
    from otsgraph.core.graphs import INFERRED, REASONED
    from otsgraph.gate.change import change_from_update
    from otsgraph.reasoning.closure import reason_triples

    gate = gate_on(seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()))
    change = change_from_update(
        gate.store,
        "PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/> "
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        "DELETE { res:summit-tc-2012-bishkek ots:date ?d } "
        'INSERT { res:summit-tc-2012-bishkek ots:date "2012-08-23"^^xsd:date } '
        "WHERE { res:summit-tc-2012-bishkek ots:date ?d }",
    )
    plan = gate.context.plan(change)
    remark = ox.NamedNode(RES + "statement-atambayev-bishkek-2012")
    added = {
        (q.predicate.value.removeprefix(OTS), q.object.value)
        for q in plan.inferred_adds
        if q.subject == remark
    }
    assert {
        ("earliestDate", "2012-08-23"),
        ("latestDate", "2012-08-23"),
        ("displayDate", "2012-08-23"),
    } <= added

    def key(q):
        return (q.subject, q.predicate, q.object)

    base = {key(q) for g in REASONED for q in gate.store.quads_for_pattern(None, None, None, g)}
    base_after = (base - {key(q) for q in plan.quad_removes}) | {
        key(q) for q in plan.quad_adds if q.graph_name in REASONED
    }
    full = reason_triples(base_after, set(gate.context.ontology)).inferred - base_after
    before = {key(q) for q in gate.store.quads_for_pattern(None, None, None, INFERRED)}
    assert {key(q) for q in plan.inferred_adds} == full - before
    assert {key(q) for q in plan.inferred_removes} == before - full
