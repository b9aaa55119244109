"""The Tornado application: collects each module's routes and audits declared access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tornado.httputil
import tornado.web

from adapters.http import (
    api_cases,
    api_claims,
    api_drivers,
    api_labels,
    api_liability,
    front,
    health,
    openapi,
)
from adapters.http.base import BaseHandler, TooLargeHandler, undeclared_entry_points
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
    *api_claims.routes,
]


class SettlementApplication(tornado.web.Application):
    """Enforces each route's body limit from the headers, before any body byte is read.

    Tornado reads a whole non-streamed body before ``prepare`` runs, so a handler cannot
    refuse an oversized one in time; here the limit is known as soon as the route is.
    """

    def __init__(self, routes: list[Any], settings_: Settings, **kwargs: Any) -> None:
        super().__init__(routes, **kwargs)
        self.settlement_settings = settings_

    def get_handler_delegate(
        self,
        request: tornado.httputil.HTTPServerRequest,
        target_class: type[tornado.web.RequestHandler],
        target_kwargs: dict[str, Any] | None = None,
        path_args: list[bytes] | None = None,
        path_kwargs: dict[str, bytes] | None = None,
    ) -> Any:
        settings = self.settlement_settings
        if issubclass(target_class, BaseHandler):
            limit = target_class.max_body_bytes(settings)
        else:
            limit = settings.max_json_bytes
        # Chunked bodies and lying Content-Lengths are cut off by Tornado at this size.
        if request.connection is not None:
            request.connection.set_max_body_size(limit)  # type: ignore[attr-defined]
        declared = request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            kwargs = {"services": (target_kwargs or {}).get("services"), "settings": settings,
                      "limit": limit}  # fmt: skip
            return super().get_handler_delegate(request, TooLargeHandler, kwargs)
        return super().get_handler_delegate(
            request, target_class, target_kwargs, path_args, path_kwargs
        )


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
    return SettlementApplication(
        [(path, handler, {**injected, **(extra or {})}) for path, handler, extra in routes],
        settings,
        default_handler_class=NotFoundHandler,
        default_handler_args=injected,
        cookie_secret=settings.cookie_secret or None,
        xsrf_cookies=False,  # the console's page handlers enforce XSRF themselves
        compress_response=True,
        **extra_settings,
    )
