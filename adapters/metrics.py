"""Prometheus metrics: request counters and latencies, plus the operator's snapshot.

Counters of this process (HTTP requests per route, gRPC calls per method, partner
deliveries) live in one registry; the work waiting in the database (outbox depth and age,
dead letters, unsealed audit entries, reviews at risk or overdue, photo verdicts) is read
from the database at scrape time, so every process reports the same, right after a restart.
The metrics are served on their own listener (the admin port), never on the public one.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import grpc
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from settlement.ports.operations import OperationalSnapshot, OperationsProbe

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One per process; handed to the HTTP app, the gRPC server and the dispatcher."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "settlement_http_requests", "HTTP requests answered", ["route", "method", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "settlement_http_request_duration_seconds", "HTTP request latency",
            ["route", "method"], buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.grpc_calls = Counter(
            "settlement_grpc_calls", "gRPC calls answered", ["method", "code"], registry=r
        )
        self.grpc_latency = Histogram(
            "settlement_grpc_call_duration_seconds", "gRPC call latency", ["method"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.deliveries = Counter(
            "settlement_partner_deliveries", "Outbox delivery attempts by partner kind and outcome",
            ["kind", "outcome"], registry=r,
        )
        self.outbox_pending = Gauge(
            "settlement_outbox_pending", "Messages waiting for delivery", ["partner"], registry=r
        )
        self.outbox_oldest = Gauge(
            "settlement_outbox_oldest_pending_seconds", "Age of the oldest waiting message",
            ["partner"], registry=r,
        )
        self.dead_letters = Gauge(
            "settlement_outbox_dead_letters", "Messages given up on (replay them)", ["partner"],
            registry=r,
        )
        self.audit_unsealed = Gauge(
            "settlement_audit_unsealed_entries", "Audit entries waiting for the sealer",
            registry=r,
        )
        self.review_cases = Gauge(
            "settlement_review_cases", "Cases waiting for a police reviewer, by SLA state",
            ["sla"], registry=r,
        )
        self.photo_verdicts = Gauge(
            "settlement_photo_verdicts", "Stored photos by verdict", ["verdict"], registry=r
        )  # fmt: skip

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, method, str(status)).inc()
        self.http_latency.labels(route, method).observe(seconds)

    def observe_delivery(self, kind: str, outcome: str) -> None:
        self.deliveries.labels(kind, outcome).inc()

    def load(self, snapshot: OperationalSnapshot) -> None:
        """Replace the database-derived gauges with ``snapshot``."""
        for gauge in (self.outbox_pending, self.outbox_oldest, self.dead_letters,
                      self.photo_verdicts):  # fmt: skip
            gauge.clear()
        for partner, queue in snapshot.outbox.items():
            self.outbox_pending.labels(partner).set(queue.pending)
            self.outbox_oldest.labels(partner).set(queue.oldest_pending_age_s)
            self.dead_letters.labels(partner).set(queue.dead)
        self.audit_unsealed.set(snapshot.audit_unsealed)
        late = snapshot.review_at_risk + snapshot.review_overdue
        waiting_in_time = snapshot.review_waiting - late
        self.review_cases.labels("within").set(waiting_in_time)
        self.review_cases.labels("at_risk").set(snapshot.review_at_risk)
        self.review_cases.labels("overdue").set(snapshot.review_overdue)
        for verdict, count in snapshot.photo_verdicts.items():
            self.photo_verdicts.labels(verdict).set(count)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def http_log_function(
    metrics: Metrics, route_of: Callable[[tornado.web.RequestHandler], str]
) -> Callable[[tornado.web.RequestHandler], None]:
    """A Tornado ``log_function``: the usual access log line, and the request's metrics."""
    access = tornado.log.access_log

    def log_request(handler: tornado.web.RequestHandler) -> None:
        status = handler.get_status()
        seconds = handler.request.request_time()
        metrics.observe_http(route_of(handler), handler.request.method or "", status, seconds)
        if status < 400:
            log_method = access.info
        elif status < 500:
            log_method = access.warning
        else:
            log_method = access.error
        log_method("%d %s %.2fms", status, handler._request_summary(), 1000.0 * seconds)

    return log_request


class MetricsInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Counts and times every unary gRPC call by method and status code."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        inner = handler.unary_unary
        metrics = self._metrics

        async def timed(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            start = time.perf_counter()
            code = "OK"
            try:
                return await inner(request, context)
            except BaseException:
                code = _code_name(context) or "UNKNOWN"
                raise
            finally:
                if code == "OK":
                    code = _code_name(context) or "OK"
                metrics.grpc_calls.labels(method, code).inc()
                metrics.grpc_latency.labels(method).observe(time.perf_counter() - start)

        return grpc.unary_unary_rpc_method_handler(
            timed,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _code_name(context: Any) -> str | None:
    code = context.code() if hasattr(context, "code") else None
    return None if code is None else str(code.name)


class MetricsHandler(tornado.web.RequestHandler):
    """``GET /metrics`` on the admin listener; a bearer token when one is configured."""

    def initialize(self, metrics: Metrics, probe: OperationsProbe, token: str) -> None:
        self.metrics = metrics
        self.probe = probe
        self.token = token

    async def get(self) -> None:
        if self.token:
            sent = self.request.headers.get("Authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {self.token}".encode()):
                self.set_status(401)
                self.set_header("WWW-Authenticate", 'Bearer realm="metrics"')
                self.finish("metrics need the operator's token\n")
                return
        self.metrics.load(await self.probe.snapshot(datetime.now(UTC)))
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.set_header("Cache-Control", "no-store")
        self.finish(self.metrics.exposition())


def metrics_app(metrics: Metrics, probe: OperationsProbe, token: str) -> tornado.web.Application:
    return tornado.web.Application(
        [(r"/metrics", MetricsHandler, {"metrics": metrics, "probe": probe, "token": token})]
    )


def counting_deliveries(
    metrics: Metrics, kind: str, handler: Callable[[Any], Awaitable[Any]]
) -> Callable[[Any], Awaitable[Any]]:
    """Wrap an outbox handler so each delivery attempt is counted by outcome."""

    async def deliver(message: Any) -> Any:
        try:
            result = await handler(message)
        except Exception:
            metrics.observe_delivery(kind, "error")
            raise
        metrics.observe_delivery(kind, "delivered")
        return result

    return deliver
