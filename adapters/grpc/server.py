"""The gRPC server of the service: health checking and reflection, plus partner services."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

ServiceRegistrar = Callable[[grpc.aio.Server], str]
"""Adds one servicer to a server and returns its full service name (for health and reflection)."""


async def start_grpc_server(
    *,
    address: str,
    registrars: Sequence[ServiceRegistrar] = (),
    interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    credentials: grpc.ServerCredentials | None = None,
) -> tuple[grpc.aio.Server, int]:
    """Start a ``grpc.aio`` server on ``address`` (port 0 picks one).

    Returns:
        The running server and the bound port.
    """
    server = grpc.aio.server(interceptors=list(interceptors))
    names = [register(server) for register in registrars]
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
         reflection.SERVICE_NAME],
        server,
    )  # fmt: skip
    if credentials is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, credentials)
    await server.start()
    return server, port
