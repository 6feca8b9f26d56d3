"""How the pool names a worker's death from what the worker wrote on its way out (pool.py): a query
that ran out of its memory gets "query-memory", whichever allocator noticed first (Rust's, Python's,
or C++'s std::bad_alloc, which RocksDB under the store would throw under RLIMIT_DATA); any other
death stays a crash."""

from __future__ import annotations

import pytest

from otsgraph.server.execution.pool import _said_out_of_memory


@pytest.mark.parametrize(
    "last_words",
    [
        b"memory allocation of 1073741824 bytes failed\n",  # Rust's allocator, then abort
        b"Traceback (most recent call last):\n  ...\nMemoryError\n",  # Python
        b"terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n",
        b"mmap failed: Cannot allocate memory\n",
        b"fatal: out of memory\n",
    ],
)
def test_a_worker_that_ran_out_of_memory_is_named_so(tmp_path, last_words):
    log = tmp_path / "worker.err"
    log.write_bytes(b"x" * 10_000 + last_words)  # only the tail is read
    assert _said_out_of_memory(log)


@pytest.mark.parametrize(
    "last_words",
    [b"", b"Fatal Python error: Segmentation fault\n", b"thread 'main' has overflowed its stack\n"],
)
def test_any_other_death_is_not_memory(tmp_path, last_words):
    log = tmp_path / "worker.err"
    log.write_bytes(last_words)
    assert not _said_out_of_memory(log)


def test_a_missing_log_says_nothing(tmp_path):
    assert not _said_out_of_memory(tmp_path / "gone.err")
