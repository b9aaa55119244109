"""Pages for people arriving at the service: what it is, whether it is healthy, where to go.

The API documentation is rendered on the server from the same OpenAPI document that
``/api/v1/openapi.json`` serves, so it needs no script or CDN and works offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import tornado.web

from adapters.http.base import BaseHandler, public
from adapters.http.openapi import openapi_document

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "交通事故快处快赔 · Accident quick settlement"


def service_version() -> str:
    try:
        return version("accident-settlement")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "dev"


class PageHandler(BaseHandler):
    """HTML pages outside the console: errors are small HTML pages too."""

    def get_template_path(self) -> str:
        return str(TEMPLATES)

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )
        self.set_header("Referrer-Policy", "no-referrer")


class FrontDoorHandler(PageHandler):
    @public
    async def get(self) -> None:
        ready = await self.services.readiness()
        links: list[tuple[str, str, str]] = [
            ("/console/", "警务审核台 Police console", "reviewers, supervisors, administrators"),
            ("/api/docs", "API 文档 API documentation", "the drivers' and partners' HTTP API"),
            ("/api/v1/openapi.json", "OpenAPI 3.1", "the machine-readable description"),
            ("/healthz", "/healthz", "alive"),
            ("/readyz", "/readyz", "ready: the database answers"),
        ]
        links.extend(self.application.settings.get("front_links", ()))
        self.set_status(200 if ready else 503)
        self.render(
            "front.html",
            name=SERVICE_NAME,
            version=service_version(),
            ready=ready,
            links=links,
        )


class ApiDocsHandler(PageHandler):
    @public
    def get(self) -> None:
        document = openapi_document()
        self.render(
            "api_docs.html",
            document=document,
            operations=list(_operations(document)),
            version=service_version(),
            schema_text=_schema_text,
        )


def _operations(document: Mapping[str, Any]) -> Any:
    """(anchor, method, path, operation) for every operation, in document order."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in {"get", "head", "post", "put", "patch", "delete"}:
                anchor = f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")
                yield anchor, method.upper(), path, operation


def _schema_text(schema: Any, document: Mapping[str, Any]) -> str:
    """A schema as indented JSON, with local ``$ref`` resolved one level for reading."""
    if isinstance(schema, Mapping) and "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        schema = document.get("components", {}).get("schemas", {}).get(name, schema)
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False)


routes: list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any] | None]] = [
    (r"/", FrontDoorHandler, None),
    (r"/api/docs/?", ApiDocsHandler, None),
]
