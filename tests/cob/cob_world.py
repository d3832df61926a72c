"""A small portfolio for the daily-job tests, built through the lending, parties and pool services with every
date passed explicitly, and ``dump`` — the full state the daily job writes, for before/after comparisons."""

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import factories

from riskfund.cob.models import BucketChange, CobFlag, CobRun, DailyLoanStatus, PoolSnapshot
from riskfund.lending.models import Loan
from riskfund.lending.services import repayment_post
from riskfund.outbox.models import OutboxEvent
from riskfund.parties.models import Bank, Guarantor
from riskfund.parties.services import agreement_end
from riskfund.pool.models import PoolState, PoolStateChange
from riskfund.pool.services import topup_approve, topup_request

D = Decimal
DISTRICT = factories.DONGHE
SHORT_DISTRICT = factories.KUNDULUN  # 昆都仑区: 1,000,000 paid 2023-01-02, below 8,000,000 after 2025-01-02 (art. 8)
TODAY = date(2025, 12, 31)


@dataclass
class World(factories.Numbering):
    bank: Bank
    other_bank: Bank
    guarantor: Guarantor
    loans: dict[str, Loan] = field(default_factory=dict)

    def lend(self, principal: str, *, disbursed_on: date, maturity_on: date | None = None, schedule=None) -> Loan:
        """Enterprise → application → recommendation → the bank's approval → registration (art. 24–27)."""
        serial = next(self.serials)
        enterprise = factories.small_enterprise(
            uscc=factories.make_uscc(serial), name=f"包头日终测试企业{serial}有限公司"
        )
        return factories.recommended_loan(
            enterprise=enterprise,
            bank=self.bank,
            guarantor=self.guarantor,
            principal=principal,
            recommended_on=disbursed_on - timedelta(days=5),
            contract_no=f"COB-{next(self.contracts):05d}",
            disbursed_on=disbursed_on,
            maturity_on=maturity_on,
            schedule=[(due, D(amount)) for due, amount in schedule] if schedule else None,
            today=TODAY,
        )

    def repay(self, loan: Loan, paid_on: date, principal: str) -> None:
        repayment_post(loan=loan, paid_on=paid_on, principal=D(principal), interest=D("0"), today=TODAY)


def build_world() -> World:
    """Funded pool (B = 9,000,000 with the two deposits), bank BOB with its agreement, bank BOC whose agreement ended
    on 2025-02-03 with its deposit not returned (art. 18), and a district short of its minimum (art. 8)."""
    factories.seed_reference()
    for code, amount, paid_on in (
        ("region", "2000000", date(2024, 1, 2)),
        ("city", "2000000", date(2024, 1, 2)),
        (DISTRICT, "4000000", date(2024, 1, 2)),
        (SHORT_DISTRICT, "1000000", date(2023, 1, 2)),
    ):
        factories.inject(code, amount, on=paid_on)
    bjdb = factories.guarantor()
    bank = factories.signed_bank(code="BOB", name="包商日终测试银行", guarantor=bjdb, signed_on=date(2024, 1, 3)).bank
    other_agreement = factories.signed_bank(
        code="BOC", name="停止合作测试银行", guarantor=bjdb, signed_on=date(2024, 1, 3)
    )
    agreement_end(agreement=other_agreement, ended_on=date(2025, 2, 3))
    return World(bank=bank, other_bank=other_agreement.bank, guarantor=bjdb)


def build_portfolio() -> World:
    """Loans of every shape (all at BOB, district 东河区):

    - ``bullet``: 1,000,000 disbursed 2025-01-10, due 2025-07-10, never repaid (overdue 25 days on 2025-08-04,
      26 on 2025-08-05: compensation due, art. 32);
    - ``instalments``: 3,000,000 in three lines of 1,000,000 (03-10, 06-10, 09-10); line 1 paid on time, line 2
      paid 400,000 on 06-20 and 600,000 on 07-15, line 3 never;
    - ``repaid``: 2,000,000 bullet due 2025-05-01, repaid 2025-05-10 (closed then);
    - ``reminder``: 500,000 bullet due 2025-12-01 (reminder from 2025-10-02, art. 31), 100,000 repaid 04-01;
    - ``current``: 4,500,000 in three lines (05-15, 08-15, 2026-02-15), each repaid on or before its date;
    - ``big``: 7,000,000 bullet due 2026-05-31, so BOB's outstanding exceeds 10 × its 1,000,000 deposit.

    With 11,000,000 registered before any repayment, BOB asks for a top-up on 2025-03-20, approved on 2025-03-21 and
    due by 2025-04-20; it is never executed (late, art. 16).
    """
    world = build_world()
    loans = world.loans
    loans["bullet"] = world.lend("1000000", disbursed_on=date(2025, 1, 10), maturity_on=date(2025, 7, 10))
    loans["instalments"] = world.lend(
        "3000000",
        disbursed_on=date(2025, 1, 10),
        maturity_on=date(2025, 9, 10),
        schedule=[(date(2025, 3, 10), "1000000"), (date(2025, 6, 10), "1000000"), (date(2025, 9, 10), "1000000")],
    )
    loans["repaid"] = world.lend("2000000", disbursed_on=date(2025, 2, 1), maturity_on=date(2025, 5, 1))
    loans["reminder"] = world.lend("500000", disbursed_on=date(2025, 3, 3), maturity_on=date(2025, 12, 1))
    loans["current"] = world.lend(
        "4500000",
        disbursed_on=date(2025, 2, 15),
        maturity_on=date(2026, 2, 15),
        schedule=[(date(2025, 5, 15), "1500000"), (date(2025, 8, 15), "1500000"), (date(2026, 2, 15), "1500000")],
    )
    topup = topup_request(
        bank=world.bank, amount=D("100000"), reason="在贷余额超过10倍", requested_on=date(2025, 3, 20)
    )
    topup_approve(topup=topup, amount=D("100000"), approved_on=date(2025, 3, 21), user=None)
    world.repay(loans["instalments"], date(2025, 3, 10), "1000000")
    world.repay(loans["instalments"], date(2025, 6, 20), "400000")
    world.repay(loans["instalments"], date(2025, 7, 15), "600000")
    world.repay(loans["repaid"], date(2025, 5, 10), "2000000")
    world.repay(loans["reminder"], date(2025, 4, 1), "100000")
    world.repay(loans["current"], date(2025, 5, 15), "1500000")
    world.repay(loans["current"], date(2025, 8, 14), "1500000")
    loans["big"] = world.lend("7000000", disbursed_on=date(2025, 6, 1), maturity_on=date(2026, 5, 31))
    for key, loan in loans.items():
        loans[key] = Loan.objects.get(pk=loan.pk)
    return world


def add_random_loans(world: World, *, count: int, seed: int) -> list[Loan]:
    """``count`` loans with 1–4 instalments and partial repayments at random dates (some late, some early, some
    repaying everything), reproducible from ``seed``."""
    rng = random.Random(seed)
    loans = []
    for _ in range(count):
        disbursed_on = date(2025, 1, 2) + timedelta(days=rng.randrange(0, 120))
        n_lines = rng.randint(1, 4)
        maturity_on = disbursed_on + timedelta(days=rng.randrange(120, 330))
        step = (maturity_on - disbursed_on).days // n_lines
        dues = [disbursed_on + timedelta(days=step * (k + 1)) for k in range(n_lines - 1)] + [maturity_on]
        amounts = [D(rng.randrange(10, 100) * 1000) + D(rng.randrange(0, 100)) / 100 for _ in dues]
        principal = sum(amounts, D("0"))
        schedule = [(due, str(amount)) for due, amount in zip(dues, amounts, strict=True)] if n_lines > 1 else None
        loan = world.lend(str(principal), disbursed_on=disbursed_on, maturity_on=maturity_on, schedule=schedule)
        outstanding = principal
        paid_on = disbursed_on
        for _ in range(rng.randint(0, 4)):
            paid_on = paid_on + timedelta(days=rng.randrange(10, 120))
            if paid_on > TODAY or outstanding == 0:
                break
            amount = min(outstanding, D(rng.randrange(1, 60) * 1000) + D(rng.randrange(0, 100)) / 100)
            if rng.random() < 0.2:
                amount = outstanding
            world.repay(loan, paid_on, str(amount))
            outstanding -= amount
        loans.append(Loan.objects.get(pk=loan.pk))
    return loans


def _rows(queryset, *fields) -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in queryset.values_list(*fields))


def dump() -> dict:
    """Everything the daily job writes (timestamps, auto ids and attempt counters left out)."""
    snapshot_fields = [f.name for f in PoolSnapshot._meta.fields if f.name not in {"id", "created_at"}]
    return {
        "runs": _rows(CobRun.objects.all(), "business_date", "status"),
        "steps": _rows(CobRun.objects.all(), "business_date", "steps__name", "steps__rows"),
        "loan_status": _rows(DailyLoanStatus.objects.all(), *[f.attname for f in DailyLoanStatus._meta.fields]),
        "bucket_changes": _rows(
            BucketChange.objects.all(), "loan_id", "business_date", "from_bucket", "to_bucket", "overdue_days"
        ),
        "flags": [
            (*row[:-1], json.dumps(row[-1], sort_keys=True))
            for row in CobFlag.objects.order_by("business_date", "kind", "subject").values_list(
                "business_date", "kind", "subject", "subject_name", "amount", "due_on", "detail"
            )
        ],
        "snapshots": [
            json.dumps(row, sort_keys=True, default=str)
            for row in PoolSnapshot.objects.order_by("business_date").values(*snapshot_fields)
        ],
        "events": sorted(
            (event.type, str(event.bank_id), json.dumps(event.data, sort_keys=True))
            for event in OutboxEvent.objects.all()
        ),
        "pool": _rows(PoolState.objects.all(), "pool_funds", "net_compensation", "pool_balance", "suspended"),
        "pool_changes": _rows(PoolStateChange.objects.all(), "business_date", "suspended", "cause"),
    }
