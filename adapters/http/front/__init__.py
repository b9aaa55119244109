"""The front door (``/``) and the readable API documentation (``/api/docs``)."""

from adapters.http.front.handlers import routes

__all__ = ["routes"]
