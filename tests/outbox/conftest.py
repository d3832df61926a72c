from datetime import date

import pytest


@pytest.fixture
def make_bank(db):
    """A bank, optionally with an agreement in the given status (rows only: no deposit is posted)."""
    from riskfund.parties.models import Agreement, Bank, Guarantor

    def make(code: str, agreement: str | None = "active"):
        bank = Bank.objects.create(code=code, name=f"{code} 银行")
        if agreement is not None:
            guarantor, _ = Guarantor.objects.get_or_create(code="G1", defaults={"name": "包头担保"})
            Agreement.objects.create(bank=bank, guarantor=guarantor, signed_on=date(2024, 1, 2), status=agreement)
        return bank

    return make
