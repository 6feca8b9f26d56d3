"""What one request costs inside the app, without HTTP: the WSGI app called directly, on one thread.

HTTP figures on a small, shared machine move by hundreds of µs from run to run; this isolates the
app's own work (Flask, the safety features, the query, the serialisation), so the cost of each
feature shows above the noise. Run by bench/http_bench.py, one process per variant:

    python bench/app_cost.py VARIANT STORE_NQ ROOT [--profile]

prints JSON: the CPU µs per request (all threads of the process, so other work on the machine
moves it less than wall time; the least disturbed of 15 passes) over the example and 3-way join
queries, per class, and with --profile where the app's time goes (cProfile; run it on the
no-time-limit variant, whose queries run on the profiled thread rather than in the worker pool).
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import ACCEPT, CLASSES, load_queries
from http_servers import waitress_app

REPEATS = 15


def environ(query_string: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/sparql",
        "QUERY_STRING": query_string,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.2",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": ACCEPT,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def call(app, query_string: str) -> None:
    status: list[str] = []
    body = app(environ(query_string), lambda s, h, e=None: status.append(s))
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    if not status[0].startswith("200"):
        raise SystemExit(f"{status[0]} for {query_string[:80]}")


def main() -> None:
    variant, store_nq, root = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    app = waitress_app(variant, store_nq, root, Path("/dev/null"))
    queries, _ = load_queries()
    strings = {cls: [urlencode({"query": q.text}) for q in queries if q.cls == cls] for cls in CLASSES}
    for qs in strings.values():  # warm up (and fill the cache of the cached variant)
        for q in qs:
            call(app, q)
    out: dict[str, object] = {}
    for cls, qs in strings.items():
        rounds = []
        for _ in range(REPEATS):
            started = time.process_time()  # CPU time of all the process's threads: other load hardly moves it
            for q in qs:
                call(app, q)
            rounds.append((time.process_time() - started) / len(qs))
        out[cls] = round(min(rounds) * 1e6, 1)  # the least disturbed pass
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            for qs in strings.values():
                for q in qs:
                    call(app, q)
        profile.disable()
        stats = pstats.Stats(profile)
        requests = 5 * sum(len(qs) for qs in strings.values())
        # the server's own steps, pyoxigraph's calls and Flask's query-string parse, time of callees included
        steps = [
            {
                "function": f"{Path(f).parent.name}/{Path(f).name}:{name}",
                "us_per_request": round(ct / requests * 1e6),
            }
            for (f, _, name), (_, _, _, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
            if "otsgraph/server" in f
            or "pyoxigraph" in name
            or (f.endswith("sansio/request.py") and name == "args")
        ]
        out["profile"] = sorted(steps, key=lambda step: -step["us_per_request"])[:25]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
