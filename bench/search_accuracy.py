"""How well /reconcile and /search find what people type: the labelled set of
tests/fixtures/search/queries.tsv against the served graph, written to bench/results/search.md.

    .venv/bin/python bench/search_accuracy.py            # writes bench/results/search.md
    .venv/bin/python bench/search_accuracy.py --misses   # also prints every miss

Every query goes through the real routes (a 0.2 batch POSTed to /reconcile, and GET /search with
Accept: application/json) of the app built from this checkout (its data as it is now), in process.
For a query with an expected entity: top-1 is right when /reconcile's first candidate is that
entity; a wrong entity above the threshold is any other candidate scoring at least the match
threshold. For a decoy, any candidate at or above the threshold is a false match. The targets
(issue 12): top-1 accuracy of at least 95 %, and no wrong entity above the threshold on any query.
tests/server/reconcile/test_search_accuracy.py runs the same evaluation on a live server and asserts
the targets.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "tests" / "fixtures" / "search" / "queries.tsv"
RESULT = REPO / "bench" / "results" / "search.md"
RES = "https://w3id.org/otsgraph/resource/"
TOP1_TARGET = 0.95
BATCH = 100  # the reconciliation manifests' batchSize


@dataclass(frozen=True)
class Case:
    query: str
    lang: str
    expected: str | None  # an entity IRI, None for a decoy
    kind: str


@dataclass
class Outcome:
    case: Case
    top: str | None  # the first candidate's IRI
    top_score: float | None
    matched: str | None  # the candidate with match: true
    wrong_above: list[tuple[str, float]]  # other entities at or above the threshold
    search_top: str | None = None  # /search's first result

    @property
    def right(self) -> bool:
        return self.case.expected is not None and self.top == self.case.expected


@dataclass
class Report:
    threshold: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def positives(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.expected is not None]

    @property
    def decoys(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.expected is None]

    @property
    def top1(self) -> float:
        return sum(o.right for o in self.positives) / len(self.positives)

    @property
    def wrong_above(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.wrong_above]

    @property
    def matched_right(self) -> int:
        return sum(o.matched == o.case.expected for o in self.positives)


def load_cases(path: Path = QUERIES) -> list[Case]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Case(
            r["query"],
            r["lang"],
            None if r["expected"] == "-" else RES + r["expected"].removeprefix("res:"),
            r["kind"],
        )
        for r in rows
    ]


def evaluate(
    cases: list[Case],
    reconcile: Callable[[dict], dict],
    search: Callable[[str], list[str]] | None,
    threshold: float,
) -> Report:
    """`reconcile(batch)`: a 0.2 batch's answer; `search(q)`: /search's result IRIs, best first."""
    report = Report(threshold)
    for start in range(0, len(cases), BATCH):
        chunk = cases[start : start + BATCH]
        answer = reconcile({f"q{i}": {"query": c.query, "limit": 10} for i, c in enumerate(chunk)})
        for i, case in enumerate(chunk):
            result = answer[f"q{i}"]["result"]
            top = result[0] if result else None
            matched = [c["id"] for c in result if c.get("match")]
            report.outcomes.append(
                Outcome(
                    case,
                    top["id"] if top else None,
                    top["score"] if top else None,
                    matched[0] if matched else None,
                    [
                        (c["id"], c["score"])
                        for c in result
                        if c["score"] >= threshold and c["id"] != case.expected
                    ],
                )
            )
    if search is not None:
        for outcome in report.outcomes:
            found = search(outcome.case.query)
            outcome.search_top = found[0] if found else None
    return report


def _short(iri: str | None) -> str:
    return "—" if iri is None else iri.replace(RES, "res:")


def markdown(report: Report, commit: str, labels_by_language: dict[str, int] | None = None) -> str:
    positives, decoys = report.positives, report.decoys
    lines = [
        "# Search and /reconcile accuracy",
        "",
        f"Date: {datetime.date.today().isoformat()} · commit `{commit}` · set "
        f"`tests/fixtures/search/queries.tsv` ({len(positives)} queries with an expected entity, "
        f"{len(decoys)} decoys) · match threshold **{report.threshold:g}** "
        "(`src/otsgraph/server/reconcile/matching.py`, the same rule for /search and /reconcile).",
        "",
        "Made by `.venv/bin/python bench/search_accuracy.py` through the real routes of the app built "
        "from the checkout (a 0.2 batch POSTed to `/reconcile`, `GET /search`). Top-1: the first "
        "candidate is the expected entity. Wrong above threshold: another entity scores at least the "
        "threshold (for a decoy, any entity).",
        "",
        "## Totals",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| top-1 accuracy (/reconcile) | {report.top1:.1%} "
        f"({sum(o.right for o in positives)}/{len(positives)}) | ≥ {TOP1_TARGET:.0%} |",
        f"| queries with a wrong entity above the threshold | {len(report.wrong_above)} | 0 |",
        f"| decoys matching something above the threshold | {sum(bool(o.wrong_above) for o in decoys)}"
        f"/{len(decoys)} | 0 |",
        f"| expected entity accepted as `match: true` | {report.matched_right}/{len(positives)} | — |",
    ]
    if any(o.search_top for o in report.outcomes):
        same = sum(o.search_top == o.case.expected for o in positives)
        lines.append(
            f"| top-1 accuracy (/search) | {same / len(positives):.1%} ({same}/{len(positives)}) | — |"
        )
    lines += ["", "## By language", "", "| lang | queries | top-1 | match: true | decoys | decoys above |"]
    lines.append("|---|---|---|---|---|---|")
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in report.outcomes:
        by_lang[outcome.case.lang].append(outcome)
    for lang in sorted(by_lang):
        group = by_lang[lang]
        pos = [o for o in group if o.case.expected is not None]
        dec = [o for o in group if o.case.expected is None]
        right = sum(o.right for o in pos)
        lines.append(
            f"| {lang} | {len(pos)} | {right}/{len(pos)} ({right / len(pos):.0%}) | "
            f"{sum(o.matched == o.case.expected for o in pos)} | {len(dec)} | "
            f"{sum(bool(o.wrong_above) for o in dec)} |"
            if pos
            else f"| {lang} | 0 | — | — | {len(dec)} | {sum(bool(o.wrong_above) for o in dec)} |"
        )
    lines += ["", "## By kind", "", "| kind | queries | top-1 | match: true |", "|---|---|---|---|"]
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in report.outcomes:
        by_kind[outcome.case.kind].append(outcome)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        if group[0].case.expected is None:
            lines.append(
                f"| {kind} | {len(group)} | decoys above: {sum(bool(o.wrong_above) for o in group)} | — |"
            )
        else:
            right = sum(o.right for o in group)
            matched = sum(o.matched == o.case.expected for o in group)
            lines.append(f"| {kind} | {len(group)} | {right}/{len(group)} | {matched} |")
    misses = [o for o in positives if not o.right]
    lines += ["", "## Misses (top-1 wrong)", ""]
    if misses:
        lines += ["| query | lang | expected | first candidate (score) |", "|---|---|---|---|"]
        lines += [
            f"| {o.case.query} | {o.case.lang} | {_short(o.case.expected)} | {_short(o.top)} "
            f"({o.top_score if o.top_score is not None else '—'}) |"
            for o in misses
        ]
    else:
        lines.append("None.")
    lines += ["", "## Wrong entities above the threshold", ""]
    if report.wrong_above:
        lines += ["| query | lang | expected | above the threshold |", "|---|---|---|---|"]
        lines += [
            f"| {o.case.query} | {o.case.lang} | {_short(o.case.expected)} | "
            + ", ".join(f"{_short(i)} ({s})" for i, s in o.wrong_above)
            + " |"
            for o in report.wrong_above
        ]
    else:
        lines.append("None, decoys included.")
    scores = Counter(
        "none" if o.top_score is None else "≥ threshold" if o.top_score >= report.threshold else "below"
        for o in decoys
    )
    lines += ["", f"Decoys' best candidate: {dict(scores)}."]
    if labels_by_language:
        lines += [
            "",
            "## Labels the matcher used",
            "",
            "rdfs:label and skos:altLabel of the served graph's entities (IRIs under res:), by language tag: "
            + ", ".join(f"{lang or '(none)'} {n}" for lang, n in sorted(labels_by_language.items()))
            + ".",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- main


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # what the figures depend on: the code, the data, the ontology, the set
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "data", "ontology", str(QUERIES)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + ("+uncommitted changes to src/, data/, ontology/ or the set" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_in_process() -> tuple[Report, dict[str, int]]:
    from otsgraph.core.loading import Layout
    from otsgraph.server import create_app
    from otsgraph.server.reconcile.matching import THRESHOLD
    from otsgraph.server.state import ServerConfig

    app = create_app(ServerConfig(), layout=Layout(REPO))
    try:
        client = app.test_client()

        def reconcile(batch: dict) -> dict:
            response = client.post("/reconcile", data={"queries": json.dumps(batch)})
            assert response.status_code == 200, response.text
            return response.get_json()

        def search(query: str) -> list[str]:
            response = client.get(
                "/search", query_string={"q": query}, headers={"Accept": "application/json"}
            )
            assert response.status_code == 200, response.text
            return [r["iri"] for r in response.get_json()["results"]]

        report = evaluate(load_cases(), reconcile, search, THRESHOLD)
        with app.app_context():
            from otsgraph.server.pages.links import labels

            counts: Counter[str] = Counter(
                literal.language
                for iri, literals in labels().every.items()
                if iri.startswith(RES)
                for literal in literals
            )
        return report, dict(counts)
    finally:
        app.extensions["otsgraph"].close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="print every miss and wrong match")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULT.relative_to(REPO)}")
    args = parser.parse_args()
    report, counts = run_in_process()
    text = markdown(report, _commit(), counts)
    if not args.no_write:
        RESULT.write_text(text, encoding="utf-8")
    print(
        f"top-1 {report.top1:.1%} of {len(report.positives)}; "
        f"queries with a wrong entity above {report.threshold:g}: {len(report.wrong_above)}; "
        f"decoys above: {sum(bool(o.wrong_above) for o in report.decoys)}/{len(report.decoys)}"
    )
    if args.misses:
        for o in report.outcomes:
            if (o.case.expected and not o.right) or o.wrong_above:
                print(
                    f"{o.case.lang}\t{o.case.query}\texpected {_short(o.case.expected)}\t"
                    f"got {_short(o.top)} ({o.top_score})\tabove: {o.wrong_above}"
                )
    sys.exit(0)


if __name__ == "__main__":
    main()
