"""The Tornado application: collects each module's routes and audits declared access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tornado.web

from adapters.http import api_cases, api_liability, health, openapi
from adapters.http.base import undeclared_entry_points
from adapters.http.health import NotFoundHandler
from settlement.config import Settings
from settlement.services.container import Services

Route = tuple[str, type[tornado.web.RequestHandler], dict[str, Any] | None]

CORE_ROUTES: list[Route] = [
    *health.routes, *openapi.routes, *api_cases.routes, *api_liability.routes
]


def make_app(
    services: Services, settings: Settings, extra_routes: Sequence[Route] = ()
) -> tornado.web.Application:
    """Build the application.

    Raises:
        RuntimeError: a handler method declares no access rule (fail closed).
    """
    routes = [*CORE_ROUTES, *extra_routes]
    missing = undeclared_entry_points([handler for _, handler, _ in routes])
    if missing:
        raise RuntimeError("Entry points without a declared access rule: " + ", ".join(missing))
    injected = {"services": services, "settings": settings}
    return tornado.web.Application(
        [(path, handler, {**injected, **(extra or {})}) for path, handler, extra in routes],
        default_handler_class=NotFoundHandler,
        default_handler_args=injected,
        cookie_secret=settings.cookie_secret or None,
        xsrf_cookies=False,  # the console's page handlers enforce XSRF themselves
        compress_response=True,
    )
