"""Quality checks: zero-row SPARQL queries with severities (queries/qc/*-violation.rq)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from otsgraph.core.queries import queries_in

SEVERITIES = ("ERROR", "WARN", "INFO")


@dataclass(frozen=True)
class QcRow:
    check: str
    severity: str
    entity: str
    property: str
    value: str


def run_checks(store: ox.Store) -> list[QcRow]:
    """Run every QC check over all graphs of the store; each row is one problem."""
    rows: list[QcRow] = []
    for check in queries_in("qc"):
        severity = check.header.get("severity", "ERROR").upper()
        name = check.name.removesuffix("-violation")
        for solution in store.query(check.text, use_default_graph_as_union=True):
            rows.append(
                QcRow(
                    name,
                    severity,
                    *(
                        "" if solution[v] is None else solution[v].value
                        for v in ("entity", "property", "value")
                    ),
                )
            )
    return rows
