"""How a query runs: the time and size limits, the worker pool, snapshots and the
usage budget (the robust endpoint)."""
