"""Fixtures for the parties tests: the same seeded pool world as the pool tests (tests/pool/conftest.py)."""

from tests.pool.conftest import invariant, loss, seeded, users

__all__ = ["invariant", "loss", "seeded", "users"]
