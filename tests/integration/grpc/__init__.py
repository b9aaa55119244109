"""gRPC adapters and partner exchange against real simulator servers and MongoDB."""
