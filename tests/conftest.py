"""Shared test fixtures. Every test builds what it needs; the shipped build is made once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from otsgraph.core.loading import Layout
from otsgraph.pipeline.article import article_path

#: the SPARQL stores of CI (oxigraph, virtuoso, backend, …) as fixtures for every test folder
pytest_plugins = ["engines"]

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"


class OutsideNetworkError(RuntimeError):
    """A test tried to reach a host other than this machine (not an OSError, so nothing swallows it)."""


def _is_local(host) -> bool:
    import ipaddress

    if host in ("localhost", "") or not isinstance(host, str):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost: resolving it would already reach out


@pytest.fixture(autouse=True, scope="session")
def no_outside_network():
    """Any socket connect to a non-loopback address fails loudly; loopback and unix sockets work."""
    import socket

    connect, connect_ex, create_connection = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.create_connection,
    )

    def guard(sock, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise OutsideNetworkError(f"test tried to connect to {address[0]}:{address[1]}; no outside hosts")

    def guarded_create_connection(address, *args, **kwargs):
        if not _is_local(address[0]):
            raise OutsideNetworkError(f"test tried to connect to {address[0]}:{address[1]}; no outside hosts")
        return create_connection(address, *args, **kwargs)

    getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host, *args, **kwargs):
        # resolving an outside name already sends a DNS query out
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host is not None and not _is_local(host):
            raise OutsideNetworkError(f"test tried to resolve {host}; no outside hosts")
        return getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
        patch.setattr(socket.socket, "connect", lambda s, a: (guard(s, a), connect(s, a))[1])
        patch.setattr(socket.socket, "connect_ex", lambda s, a: (guard(s, a), connect_ex(s, a))[1])
        patch.setattr(socket, "create_connection", guarded_create_connection)
        yield


def require(condition: bool, reason: str) -> None:
    """Skip when something outside the repo is missing, but fail under CI=true, where it must exist."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(REPO)


@pytest.fixture(scope="session")
def article_text() -> str:
    from otsgraph.pipeline.article import normalised_text

    require(
        article_path().exists(),
        f"the source article is not at {article_path()} (../shared is absent)",
    )
    return normalised_text()


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory):
    """The shipped graph built once, into a temporary build folder (the checkout's build/ is untouched)."""
    from otsgraph.pipeline.build import run_build

    out = tmp_path_factory.mktemp("build")
    layout = Layout(REPO)
    result = run_build(layout, write=False)
    from otsgraph.core.store import open_store
    from otsgraph.gate.seed import seed_from_sources

    store = open_store(out / "store")
    seed_from_sources(store, result.sources, result.reasoned)
    result.store = store
    return result
