"""Partner simulators: real gRPC servers standing in for insurers and the court platform.

They implement the partner contracts under ``proto/`` faithfully (idempotency on
``request_id`` included), count what they receive, and can be told to misbehave, so
tests and demos exercise the real clients over real sockets.
"""
