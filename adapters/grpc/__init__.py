"""gRPC adapters: the insurer-facing server, partner clients, and generated code."""
