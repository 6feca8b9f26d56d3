"""The commit's test hook: a callable that `audit.apply` calls at each named point of a write.

A Gate takes it as an argument (`Gate(..., commit_hook=...)`); in-process tests pass their own.
Processes that a test starts (`otsgraph add`, `otsgraph serve`) get theirs from the environment:

- `OTSGRAPH_TEST_CRASH_AT=<point>`: the process kills itself with SIGKILL at that point, a real
  crash at a known place of the write, with no timing to guess;
- `OTSGRAPH_TEST_HOLD_AT=<point>`: the process stops there (holding the store) until it is killed,
  so that a test can look at the store while a writer holds it.

The points, in the order a write reaches them: "before the write" (the change is planned and its
audit record built; nothing is written yet) and, for a change with removals and blank nodes,
"between the steps" (its journal and additions written, its removals not). The hook prints
"otsgraph test hook: <action> at <point>" on stderr before acting, which tests wait for.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

CommitHook = Callable[[str], None]

POINTS = ("before the write", "between the steps")
CRASH_AT = "OTSGRAPH_TEST_CRASH_AT"
HOLD_AT = "OTSGRAPH_TEST_HOLD_AT"


def no_hook(point: str) -> None:
    """The hook of every process that sets neither variable: do nothing."""


def from_environment(environ: dict[str, str] | None = None, points: tuple[str, ...] = POINTS) -> CommitHook:
    """The hook that the environment asks for, else `no_hook`; an unknown point is an error (a
    test that names a point the write never reaches would otherwise pass without a crash). `points`
    are the write's named points: the commit's by default, `publish` passes its own."""
    environ = os.environ if environ is None else environ
    crash_at, hold_at = environ.get(CRASH_AT, ""), environ.get(HOLD_AT, "")
    for name, point in ((CRASH_AT, crash_at), (HOLD_AT, hold_at)):
        if point and point not in points:
            raise ValueError(f"{name}={point!r} is none of the write's points: {', '.join(points)}")
    if not crash_at and not hold_at:
        return no_hook

    def hook(point: str) -> None:
        if point == crash_at:
            _announce("crashing", point)
            os.kill(os.getpid(), signal.SIGKILL)
        if point == hold_at:
            _announce("holding", point)
            threading.Event().wait()  # until the test kills the process

    return hook


def _announce(action: str, point: str) -> None:
    print(f"otsgraph test hook: {action} at {point}", file=sys.stderr, flush=True)
