"""Live servers for tests: the real `otsgraph serve` command in a subprocess, or the app under waitress
in this process (serve_app), each on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from waitress.server import create_server

from otsgraph.core.loading import Layout
from otsgraph.server import create_app
from otsgraph.server.serve import waitress_options
from otsgraph.server.state import ServerConfig, state_of

REPO = Path(__file__).resolve().parents[1]


def otsgraph_command() -> str:
    command = shutil.which("otsgraph", path=str(Path(sys.executable).parent)) or shutil.which("otsgraph")
    assert command, "the otsgraph command is not installed (make setup)"
    return command


@contextmanager
def serve_command(*arguments: str, log: Path, tokens: str = "", timeout: float = 120) -> Iterator[str]:
    """Run `otsgraph serve --port 0 ARGUMENTS…` (OTSGRAPH_UPDATE_TOKEN=tokens) and yield its address,
    which the command prints alone on stdout; its stderr goes to `log`. Stopped at the end."""
    with serve_process(*arguments, log=log, tokens=tokens, timeout=timeout) as (address, _process):
        yield address


@contextmanager
def serve_process(
    *arguments: str,
    log: Path,
    tokens: str = "",
    timeout: float = 120,
    env: dict[str, str] | None = None,
    command: str | Path | None = None,
    cwd: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """serve_command, yielding the process too (its pid, whether it is alive); `env` replaces the
    environment (OTSGRAPH_HOME, say), `command` the otsgraph command (another venv's), `cwd` the folder."""
    env = {**(os.environ if env is None else env), "OTSGRAPH_UPDATE_TOKEN": tokens}
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [str(command or otsgraph_command()), "serve", "--port", "0", *arguments],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
            cwd=cwd,
        ) as process,
    ):
        try:
            address = process.stdout.readline().strip()
            assert address.startswith("http://127.0.0.1:"), log.read_text()
            yield address, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class LiveApp:
    url: str  # e.g. http://127.0.0.1:54321
    app: Flask


@contextmanager
def serve_app(threads: int = 4, **config) -> Iterator[LiveApp]:
    """The app (ServerConfig(**config)) under waitress on 127.0.0.1 and a free port, in this process.

    It is stopped from inside waitress's loop (a trigger thunk closes every channel and the
    listening socket, then the loop ends by itself): closing sockets from another thread while the
    loop waits in select() makes that select fail with EBADF in the server thread.
    """
    app = create_app(ServerConfig(**config), layout=Layout(REPO))
    server = create_server(
        app, host="127.0.0.1", port=0, threads=threads, **waitress_options(state_of(app).config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{int(server.effective_port)}", app)
    finally:

        def close_everything() -> None:
            for channel in list(server._map.values()):
                if channel is not server and channel is not server.trigger:
                    channel.handle_close()
            server.close()  # the listening socket and the trigger: the map is empty, the loop ends

        try:
            server.trigger.pull_trigger(close_everything)
        except OSError:
            # the trigger's descriptor was closed under it (EBADF, seen twice in ~2,500 in-process
            # server starts, never with one server per process as `otsgraph serve` runs): close from here
            close_everything()
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        state_of(app).close()
