"""Handing a request's job to the server's executor: who asks (for the per-client limit), the
request's id (for the log), and the time limit."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request

from ..state import ServerState
from .jobs import QueryJob, UpdateJob


def request_id() -> str:
    """This request's id, for the log lines about it (never its token)."""
    rid = getattr(g, "request_id", None)
    if rid is None:
        rid = g.request_id = uuid.uuid4().hex[:12]
    return rid


def run_job(server: ServerState, job: QueryJob | UpdateJob, timeout: float | None = None) -> tuple[int, Any]:
    """(data version the job saw, its value), or ProtocolError; within `timeout` (default: the
    server's query time limit)."""
    client = request.remote_addr or "?"
    limit = server.config.query_timeout if timeout is None else timeout
    return server.executor.run(job, client, limit, request_id())
