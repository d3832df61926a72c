"""The pool's seed: the funders with their accounts and the pool's own accounts (riskfund/parties/seed.py) and
the single ``PoolState`` row. Idempotent: running it again creates nothing."""

from django.db import transaction

from riskfund.parties.seed import seed_funders

from .models import PoolState


def seed_pool() -> dict[str, int]:
    """Seed the funders and the pool accounts, then the ``PoolState`` row; returns how many funders, accounts and
    state rows were created."""
    with transaction.atomic():
        counts = seed_funders()
        _, state_created = PoolState.objects.get_or_create(pk=1)
    return {**counts, "pool_state": int(state_created)}
