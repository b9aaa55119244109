"""Keeping the audit log's signed checkpoints outside the database, and the signing key."""
