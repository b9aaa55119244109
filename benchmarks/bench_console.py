"""Console benchmark: server time to render the review page of a case with 6 photos.

Run: ``python benchmarks/bench_console.py`` (about half a minute; needs the embedded mongod).

The whole service runs on loopback against a real mongod, with one case seeded through the
real use cases (six generated photos, conflicting statements, engine proposal). A signed-in
reviewer requests ``/console/cases/{id}`` repeatedly; the figure is the server's own time
for the request (Tornado's ``request_time``, which includes the Mongo reads, the audit
append and template rendering, but not the client). The baseline in the same run is
``/healthz`` (a trivial JSON handler) and the queue page. Target: review page p95 < 300 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tornado.httpclient import AsyncHTTPClient
from tornado.web import Application, RequestHandler

from adapters.demo_scenes import scene_jpeg
from adapters.mongo.embedded import EmbeddedMongo
from settlement.bootstrap import Runtime, open_runtime, start_servers
from settlement.cli.demo import demo_specs, seed_case
from settlement.config import Settings

ROUNDS = 60
PASSWORD = "benchmark-password-1"


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        mongo = EmbeddedMongo(root / "mongo")
        mongo.start()
        try:
            settings = replace(Settings(), http_port=0, grpc_port=0, metrics_port=0, mongo_uri=mongo.uri,
                               mongo_db="bench_console", data_dir=root / "data",
                               uploads_dir=root / "uploads", console_secure_cookies=False,
                               cookie_secret="bench-secret")  # fmt: skip
            async with open_runtime(settings) as runtime:
                await run(runtime, root)
        finally:
            mongo.stop()


async def run(runtime: Runtime, root: Path) -> None:
    services = runtime.services
    assert services.staff_auth is not None
    assert services.review is not None
    await services.staff_auth.create_account("bench", "reviewer", "440305", PASSWORD)
    case = await seed_case(services, demo_specs()[0], scene_jpeg, root)
    assert services.photos is not None
    servers = await start_servers(runtime)
    timings: dict[str, list[float]] = {}

    def record(handler: RequestHandler) -> None:
        timings.setdefault(handler.request.path, []).append(1000 * handler.request.request_time())

    app = servers.http.request_callback
    assert isinstance(app, Application)
    app.settings["log_function"] = record
    base = f"http://127.0.0.1:{servers.http_port}"
    client = AsyncHTTPClient()
    login = await client.fetch(f"{base}/console/login")
    xsrf = login.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    answer = await client.fetch(
        f"{base}/console/login", method="POST", follow_redirects=False, raise_error=False,
        headers={"Cookie": f"_xsrf={xsrf}"},
        body=urlencode({"username": "bench", "password": PASSWORD, "_xsrf": xsrf}),
    )
    session = next(h for h in answer.headers.get_list("Set-Cookie")
                   if h.startswith("console_session=")).split(";")[0]
    cookie = {"Cookie": f"{session}; _xsrf={xsrf}"}
    paths = ["/healthz", "/console/queue", f"/console/cases/{case.id}"]
    for path in paths:  # warm up template compilation and connections
        await client.fetch(base + path, headers=cookie)
    timings.clear()
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for path in paths:
            response = await client.fetch(base + path, headers=cookie)
            assert response.code == 200
    wall = time.perf_counter() - started
    await servers.stop(0.5)
    print(f"server time per request over {ROUNDS} rounds (ms), wall {wall:.1f} s")
    print(f"{'path':<40} {'median':>8} {'p95':>8} {'max':>8}")
    for path in paths:
        values = sorted(timings[path])
        p95 = values[int(0.95 * (len(values) - 1))]
        label = "/console/cases/{id} (6 photos)" if path.startswith("/console/cases") else path
        print(f"{label:<40} {statistics.median(values):8.1f} {p95:8.1f} {values[-1]:8.1f}")
    print()
    print("| page | median ms | p95 ms |")
    print("|---|---|---|")
    for path in paths:
        values = sorted(timings[path])
        label = "review page with 6 photos" if path.startswith("/console/cases") else path
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"| `{label}` | {statistics.median(values):.1f} | {p95:.1f} |")
    review = sorted(timings[paths[2]])
    verdict = "meets" if review[int(0.95 * (len(review) - 1))] < 300 else "MISSES"
    print(f"review page p95 {verdict} the 300 ms target")


if __name__ == "__main__":
    asyncio.run(main())
