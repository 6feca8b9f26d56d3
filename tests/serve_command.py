"""The real `otsgraph serve` command in a subprocess, for tests that need the server as users start it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def otsgraph_command() -> str:
    command = shutil.which("otsgraph", path=str(Path(sys.executable).parent)) or shutil.which("otsgraph")
    assert command, "the otsgraph command is not installed (make setup)"
    return command


@contextmanager
def serve_command(*arguments: str, log: Path, tokens: str = "", timeout: float = 120) -> Iterator[str]:
    """Run `otsgraph serve --port 0 ARGUMENTS…` (OTSGRAPH_UPDATE_TOKEN=tokens) and yield its address,
    which the command prints alone on stdout; its stderr goes to `log`. Stopped at the end."""
    env = {**os.environ, "OTSGRAPH_UPDATE_TOKEN": tokens}
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [otsgraph_command(), "serve", "--port", "0", *arguments],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        ) as process,
    ):
        try:
            address = process.stdout.readline().strip()
            assert address.startswith("http://127.0.0.1:"), log.read_text()
            yield address
        finally:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
