"""Seed data: the funders of art. 3, 8 (region, city, Baotou's ten districts), their ledger accounts and the
pool's own accounts (the ``PoolState`` row is the pool's: riskfund/pool/seed.py). Idempotent: running it again
creates nothing."""

import csv
from pathlib import Path

from django.db import transaction

from riskfund.ledger.chart import INTEREST, SPECIAL
from riskfund.ledger.models import Account, Side
from riskfund.ledger.services import account_open

from .models import Funder, FunderTier

DISTRICTS_CSV = Path(__file__).resolve().parent / "data" / "baotou-districts.csv"

POOL_ACCOUNTS = [
    (SPECIAL, "资金池专户", Side.DEBIT),
    (INTEREST, "资金池利息收入", Side.CREDIT),
]


def _funder_rows() -> list[dict]:
    rows = [
        {"code": "region", "tier": FunderTier.REGION, "name": "自治区", "name_en": "Inner Mongolia Autonomous Region"},
        {"code": "city", "tier": FunderTier.CITY, "name": "市本级", "name_en": "Baotou Municipality"},
    ]
    with DISTRICTS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {"code": row["code"], "tier": FunderTier.DISTRICT, "name": row["name_zh"], "name_en": row["name_en"]}
            )
    return rows


def seed_funders() -> dict[str, int]:
    """Create the funders with their ``funder:<code>`` (credit) and ``loss:<code>`` (debit) accounts and the pool
    accounts; returns how many funders and accounts were created."""
    with transaction.atomic():
        accounts_before = Account.objects.count()
        created = 0
        for row in _funder_rows():
            funder, was_created = Funder.objects.get_or_create(
                code=row["code"], defaults={"tier": row["tier"], "name": row["name"], "name_en": row["name_en"]}
            )
            created += was_created
            account_open(code=funder.account_code, name=f"注资—{funder.name}", normal_side=Side.CREDIT)
            account_open(code=funder.loss_account_code, name=f"代偿损失—{funder.name}", normal_side=Side.DEBIT)
        for code, name, side in POOL_ACCOUNTS:
            account_open(code=code, name=name, normal_side=side)
        return {"funders": created, "accounts": Account.objects.count() - accounts_before}
