"""The write gate: every change to the graph is checked here, then applied atomically and logged.

A change (quads to add and to remove) is validated on the graph it would produce: the store's
current data is the context, reasoning runs first (incrementally, from the changed triples), and
only the focus nodes the change touches are validated, with the neighbourhood they need (see
incremental.py). Besides the SHACL shapes, the gate checks provenance, ontology terms and literal
values (checks.py). An accepted addition is applied with the inferred-graph update and its audit
record in one atomic store write; a change that also removes goes through a journal that a
crash rolls back (audit.py, docs/writes.md).

Public API (used by the command line in write_cli.py and by the HTTP routes):

- `InputError`, `Limits`, `read_submission`: reading a submission in any RDF format, safely;
- `Change`, `change_from_update`, `change_from_quads`: what a write does;
- `Gate.check`, `Gate.commit`, `Gate.log`, `Gate.revert`, `Gate.export`, `Gate.reset`;
- `Report` (with `to_text`, `to_json`, `to_turtle`) and `Rejected`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pyoxigraph as ox

from otsgraph.core.graphs import ADDITIONS, AUDIT, INFERRED, READ_ONLY_GRAPHS
from otsgraph.core.loading import Layout, parse_file
from otsgraph.validation.report import Finding, Report

from . import audit, checks
from . import plan as incremental
from .audit import AuditRecord
from .change import Change, change_from_quads, change_from_update
from .commit_hook import CommitHook, from_environment
from .submission import InputError, Limits, read_submission

#: writes an accepted change: (store, plan, record, commit hook)
Applier = Callable[[ox.Store, "incremental.Plan", AuditRecord, CommitHook], None]

__all__ = [
    "ADDITIONS",
    "AUDIT",
    "INFERRED",
    "READ_ONLY_GRAPHS",
    "AuditRecord",
    "Change",
    "Finding",
    "Gate",
    "InputError",
    "Limits",
    "Rejected",
    "Report",
    "change_from_quads",
    "change_from_update",
    "read_submission",
    "refresh_inferred",
]


class Rejected(Exception):
    """A change the gate refused; `report` says why."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"rejected: {report.summary()}")


class Gate:
    """Checks and applies changes to one store.

    The context is read from the store on demand (the store's asserted data, the ontology and
    the inferred graph); the shapes and the ontology's compiled axioms are read once, from the
    store's graph:ontology and the project's shapes/ folder.
    """

    def __init__(
        self,
        store: ox.Store,
        layout: Layout,
        shapes: list[tuple] | None = None,
        recover: bool = True,
        commit_hook: CommitHook | None = None,
        apply: Applier = audit.apply,
    ) -> None:
        """`shapes` default to the project's shapes/ folder; `recover` rolls back an interrupted change
        (pass False for a read-only store); `commit_hook` is called at each point of a write (tests
        crash there; commit_hook.py), by default the one the environment asks for; `apply` writes an
        accepted change (a front of a remote store writes it there first: server/backend/front.py)."""
        self._apply = apply
        self.store = store
        if shapes is None:
            shapes = [tuple(t) for t in load_shapes(layout)]
        self.context = incremental.Context(store, shapes)
        self._lock = threading.Lock()
        self._commit_hook = commit_hook or from_environment()
        if recover:
            audit.recover(store)

    # ---- checking -------------------------------------------------------------------------------

    def check(self, change: Change) -> Report:
        """Validate the graph the change would produce, after reasoning; the store is not touched.

        Only focus nodes the change touches are validated (with the neighbourhood they need); the
        report also carries reasoning inconsistencies, provenance, term and literal problems.
        """
        started = time.perf_counter()
        plan = self.context.plan(change)
        findings = checks.run(self.context, change, plan)
        findings += self.context.validate_touched(plan)
        report = Report.of(findings, touched=len(plan.focus), change=change)
        report.timings["check"] = time.perf_counter() - started
        return report

    # ---- writing --------------------------------------------------------------------------------

    def commit(self, change: Change, who: str, summary: str = "") -> Report:
        """Check, then apply the change, the inferred-graph update and the audit record atomically.

        Raises Rejected(report) when the change does not conform; the store is then unchanged.
        Returns the report (with `change_id` set) once the change is durable.
        """
        with self._lock:  # one change at a time: each is planned against the state the last one left
            return self._commit(change, who, summary)

    def _commit(self, change: Change, who: str, summary: str) -> Report:
        started = time.perf_counter()
        plan = self.context.plan(change)
        findings = checks.run(self.context, change, plan)
        findings += self.context.validate_touched(plan)
        report = Report.of(findings, touched=len(plan.focus), change=change)
        if not report.conforms:
            raise Rejected(report)
        if plan.is_empty():
            report.timings["commit"] = time.perf_counter() - started
            return report
        record = audit.new_record(who, summary or change.describe(), plan)
        self._apply(self.store, plan, record, self._commit_hook)
        report.change_id = record.id
        report.timings["commit"] = time.perf_counter() - started
        return report

    def log(self) -> list[AuditRecord]:
        """Every accepted change, oldest first."""
        return audit.records(self.store)

    def record(self, change_id: str) -> AuditRecord:
        """One logged change with its quads; raises audit.UnknownChange."""
        return audit.record(self.store, change_id)

    def revert(self, change_id: str, who: str) -> Report:
        """Undo an accepted change by a new change (itself checked and logged)."""
        record = audit.record(self.store, change_id)
        inverse = Change(add=list(record.removed), remove=list(record.added_asserted), exact=True)
        return self.commit(inverse, who, f"revert {change_id}")

    def export(self, fmt: ox.RdfFormat = ox.RdfFormat.TRIG) -> bytes:
        """The accepted additions (graph:additions and the claim graphs they brought) as a file."""
        return audit.export(self.store, fmt)

    def reset(self) -> int:
        """Drop every addition, its inferences and the change log; the shipped graphs stay.

        Returns the number of quads dropped. The inferred graph is recomputed from the shipped data.
        """
        with self._lock:
            dropped = audit.reset(self.store)
            self.context.recompute_inferred()
            return dropped


def load_shapes(layout: Layout) -> list[tuple]:
    """The shape triples of the project's shapes/ folder."""
    return [
        (q.subject, q.predicate, q.object)
        for path in sorted(layout.shapes_dir.glob("*.ttl"))
        for q in parse_file(path)
    ]


def refresh_inferred(store: ox.Store) -> tuple[int, int]:
    """Recompute graph:inferred over the shipped data and the additions (after a rebuild re-seeds)."""
    context = incremental.Context(store, [])
    return context.recompute_inferred()
