"""The write gate: a change planned, checked (shapes, provenance, consistency), committed with
its audit record, and the commands that write (`add`, `revert`, `log`)."""
