"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import tornado.web

from adapters.http.base import ApiHandler, public


class HealthHandler(ApiHandler):
    @public
    def get(self) -> None:
        self.respond({"status": "alive"})


class ReadyHandler(ApiHandler):
    @public
    async def get(self) -> None:
        if await self.services.readiness():
            self.respond({"status": "ready"})
        else:
            self.respond({"status": "not_ready", "reason": "database unreachable"}, status=503)


class NotFoundHandler(ApiHandler):
    """Unknown paths answer like every other error: problem+json with a stable code."""

    def prepare(self) -> None:
        super().prepare()
        raise tornado.web.HTTPError(404, reason="No such resource.")


routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (r"/healthz", HealthHandler, None),
    (r"/readyz", ReadyHandler, None),
]
