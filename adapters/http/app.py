"""The Tornado application: collects each module's routes and audits declared access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tornado.web

from adapters.http import api_cases, api_drivers, api_labels, api_liability, front, health, openapi
from adapters.http.base import undeclared_entry_points
from adapters.http.health import NotFoundHandler
from adapters.metrics import Metrics, http_log_function
from settlement.config import Settings
from settlement.services.container import Services

Route = tuple[str, type[tornado.web.RequestHandler], dict[str, Any] | None]

CORE_ROUTES: list[Route] = [
    *front.routes,
    *health.routes,
    *openapi.routes,
    *api_labels.routes,
    *api_cases.routes,
    *api_liability.routes,
    *api_drivers.routes,
]


def make_app(
    services: Services,
    settings: Settings,
    extra_routes: Sequence[Route] = (),
    *,
    metrics: Metrics | None = None,
    front_links: Sequence[tuple[str, str, str]] = (),
) -> tornado.web.Application:
    """Build the application.

    Args:
        metrics: counts and times every request by route pattern (not by raw path).
        front_links: extra (href, title, description) links for the front door.

    Raises:
        RuntimeError: a handler method declares no access rule (fail closed).
    """
    routes = [*CORE_ROUTES, *extra_routes]
    missing = undeclared_entry_points([handler for _, handler, _ in routes])
    if missing:
        raise RuntimeError("Entry points without a declared access rule: " + ", ".join(missing))
    injected = {"services": services, "settings": settings}
    extra_settings: dict[str, Any] = {"front_links": tuple(front_links)}
    if metrics is not None:
        patterns = {handler: path for path, handler, _ in reversed(routes)}
        extra_settings["log_function"] = http_log_function(
            metrics, lambda h: patterns.get(type(h), "unmatched")
        )
    if settings.debug:
        # Development conveniences: templates and static files re-read on every request.
        extra_settings.update(compiled_template_cache=False, static_hash_cache=False)
    return tornado.web.Application(
        [(path, handler, {**injected, **(extra or {})}) for path, handler, extra in routes],
        default_handler_class=NotFoundHandler,
        default_handler_args=injected,
        cookie_secret=settings.cookie_secret or None,
        xsrf_cookies=False,  # the console's page handlers enforce XSRF themselves
        compress_response=True,
        **extra_settings,
    )
