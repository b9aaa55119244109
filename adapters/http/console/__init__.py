"""The police reviewer web console (pages, static files) and the drivers' access log."""

from adapters.http.console.handlers import routes

__all__ = ["routes"]
