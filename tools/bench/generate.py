"""``generate_portfolio``: the loan book of ``portfolio.py`` plus the money that backs it, then the counters.

Money side (SPEC §4, §6, §7), all balanced ledger transactions with their business records, dated before the loans:

- one injection per funder (``Injection``): each district pays max(its minimum, (outstanding of its loans × 1.25)
  ÷ 25), so the art. 13 cap leaves 25 % headroom; the region and the city share the rest so that B = F − N covers
  1.25 × the outstanding ÷ 10 (art. 9);
- four quarterly interest credits on the special account (``InterestCredit``, art. 12);
- per bank an active ``Agreement`` with the initial deposit (art. 16) and an executed ``DepositTopUp`` that brings
  the deposit, after the compensations deducted from it and the recoveries paid back into it, to 1/10 of the bank's
  outstanding (no top-up flag); the payables settled come out of the special account.
"""

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from riskfund.ledger.chart import INTEREST, SPECIAL, deposit_account, funder_account
from riskfund.ledger.models import Side
from riskfund.lending.models import Loan
from riskfund.parties.models import Agreement, Funder
from riskfund.parties.services import bank_create
from riskfund.policy.seed import seed_reference_data
from riskfund.policy.selectors import policy_in_force
from riskfund.pool.models import DepositTopUp, Injection, InterestCredit
from riskfund.pool.seed import seed_pool

from .bulk import BulkWriter, Table, orphans
from .enterprises import add_enterprises
from .finish import counters_from_rows
from .portfolio import CHUNK, Bank, LoanBook, guarantors
from .tables import fen

DEFAULT_AS_OF = date(2026, 4, 29)  # the last day of the 2021 policy version (art. 40): every loan has a version
OLDEST_LOAN_DAYS = 560
SQLITE_MAX_LOANS = 20_000
HEADROOM = Decimal("1.25")
YUAN_10K = 1_000_000  # fens


def _round_up(amount: int, step: int) -> int:
    return -(-amount // step) * step


def _banks(count: int) -> list[Bank]:
    pair = guarantors()
    rows = []
    for k in range(1, count + 1):
        bank = bank_create(code=f"BENCH{k:02d}", name=f"基准测试银行{k:02d}")
        rows.append(Bank(id=bank.pk, code=bank.code, guarantor=pair[(k - 1) % len(pair)].pk))
    return rows


class MoneySide:
    def __init__(self, book: LoanBook) -> None:
        self.book = book
        self.t = book.t
        self.injection = Table(
            Injection,
            ["id", "funder", "kind", "paid_on", "amount", "reference", "reversal_reason", "transaction", "created_at"],
        )
        self.agreement = Table(
            Agreement,
            ["id", "bank", "guarantor", "signed_on", "status", "return_late", "deposit_transaction", "created_at"],
        )
        self.topup = Table(
            DepositTopUp,
            [
                "id",
                "bank",
                "requested_amount",
                "reason",
                "requested_on",
                "requested_by_bank",
                "status",
                "approved_amount",
                "approved_on",
                "due_on",
                "executed_on",
                "executed_late",
                "transaction",
                "created_at",
            ],
        )
        self.interest = Table(
            InterestCredit, ["id", "credited_on", "amount", "account", "reference", "transaction", "created_at"]
        )
        self.writer = BulkWriter(
            self.t.transaction,
            self.t.entry,
            self.injection,
            self.agreement,
            self.topup,
            self.interest,
            checked=(self.t.transaction, self.t.entry),
        )

    def post(self, kind: str, day: date, debit: str, credit: str, amount: int, description: str, reference: str = ""):
        book = self.book
        txn = book.uuid()
        self.writer.add(self.t.transaction, (txn, kind, day, book.stamp(day), description, reference))
        self.writer.add(self.t.entry, (txn, book.accounts[debit], Side.DEBIT.value, fen(amount)))
        self.writer.add(self.t.entry, (txn, book.accounts[credit], Side.CREDIT.value, fen(amount)))
        return txn

    def write(self) -> dict[str, int]:
        book, totals, as_of = self.book, self.book.totals, self.book.as_of
        policy = book.policy
        start = as_of - timedelta(days=OLDEST_LOAN_DAYS + 140)
        funders = {f.code: f for f in Funder.objects.all()}
        interest_each = 10_000_000  # 100,000.00 a quarter
        paid: dict[str, int] = {}
        minimum = int(policy.district_min_injection.scaleb(2))
        for code in funders:
            if funders[code].tier == "district":
                need = int(totals.by_district.get(code, 0) * HEADROOM / policy.district_scale_cap)
                paid[code] = max(minimum, _round_up(need, YUAN_10K))
        balance_needed = int(totals.outstanding * HEADROOM / policy.pool_leverage) + totals.net_compensation
        rest = max(0, balance_needed - sum(paid.values()) - 4 * interest_each)
        paid["region"] = paid["city"] = _round_up(rest // 2 + 1, 100 * YUAN_10K)
        for code, amount in paid.items():
            txn = self.post("injection", start, SPECIAL, funder_account(code), amount, f"{funders[code].name} 注资")
            self.writer.add(
                self.injection, (book.uuid(), code, "injection", start, fen(amount), "", "", txn, book.stamp(start))
            )
        for quarter in range(1, 5):
            day = as_of - timedelta(days=90 * quarter)
            txn = self.post("interest", day, SPECIAL, INTEREST, interest_each, "利息入账 special")
            self.writer.add(self.interest, (book.uuid(), day, fen(interest_each), "special", "", txn, book.stamp(day)))
        initial = int(policy.initial_deposit.scaleb(2))
        deposits = 0
        signed = start + timedelta(days=10)
        for bank in book.banks:
            agreement = book.uuid()
            description = f"风险补偿抵押金 {bank.code}"
            txn = self.post(
                "deposit_initial", signed, deposit_account(bank.code), SPECIAL, initial, description, str(agreement)
            )
            self.writer.add(
                self.agreement, (agreement, bank.id, bank.guarantor, signed, "active", False, txn, book.stamp(signed))
            )
            target = _round_up(totals.by_bank.get(bank.id, 0) // policy.deposit_topup_multiple + 1, YUAN_10K)
            topup = _round_up(max(0, target + totals.deposit_drawn.get(bank.id, 0) - initial), YUAN_10K)
            deposits += initial + topup
            if topup:
                day = signed + timedelta(days=5)
                topup_id = book.uuid()
                txn = self.post(
                    "deposit_topup", day, deposit_account(bank.code), SPECIAL, topup, description, str(topup_id)
                )
                self.writer.add(
                    self.topup,
                    (
                        topup_id,
                        bank.id,
                        fen(topup),
                        "基准测试",
                        day,
                        False,
                        "executed",
                        fen(topup),
                        day,
                        day + timedelta(days=policy.topup_execution_days),
                        day,
                        False,
                        txn,
                        book.stamp(day),
                    ),
                )
        special = sum(paid.values()) + 4 * interest_each - deposits - totals.payables_settled
        if special < 0:
            raise ValueError(f"the special account would be overdrawn by {fen(-special)}")
        self.writer.flush()
        return {"pool_special": special, "injected": sum(paid.values()), "deposits": deposits}


def generate_portfolio(
    *,
    loans: int,
    enterprises: int,
    banks: int,
    seed: int = 2026,
    as_of: date = DEFAULT_AS_OF,
    bank_shares: list[int] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict:
    """Write the portfolio (see ``tools.bench.portfolio``) into a database without loans; returns a summary."""
    if loans < 1 or enterprises < 1 or banks < 1:
        raise ValueError("--loans, --enterprises and --banks must be positive")
    shares = bank_shares or [1] * banks
    if len(shares) != banks or any(s < 1 for s in shares):
        raise ValueError(f"--bank-shares needs {banks} positive integers")
    if connection.vendor != "postgresql" and loans > SQLITE_MAX_LOANS:
        raise ValueError(f"without PostgreSQL (COPY) at most {SQLITE_MAX_LOANS} loans: set DATABASE_URL")
    if as_of > timezone.localdate():
        raise ValueError(f"--as-of {as_of} is after today")
    if Loan.objects.exists():
        raise ValueError("the database already has loans: generate into a freshly migrated database")
    began = time.monotonic()

    def step(message: str) -> None:
        log(f"[{time.monotonic() - began:7.1f} s] {message}")

    seed_reference_data()
    seed_pool()
    policy = policy_in_force(as_of)
    if policy is None or policy_in_force(as_of - timedelta(days=OLDEST_LOAN_DAYS)) != policy:
        raise ValueError(
            f"one policy version must be in force from {as_of - timedelta(days=OLDEST_LOAN_DAYS)} to {as_of}"
        )
    with transaction.atomic():
        bank_rows = _banks(banks)
    book = LoanBook(
        rng=random.Random(seed),  # noqa: S311 — synthetic data, reproducible by seed
        as_of=as_of,
        policy=policy,
        banks=bank_rows,
        shares=shares,
    )
    t = book.t

    writer = BulkWriter(t.enterprise)
    for first in range(0, enterprises, CHUNK * 4):
        with transaction.atomic():
            add_enterprises(book, writer, min(CHUNK * 4, enterprises - first), serial_from=first + 1)
            writer.flush()
    step(f"{enterprises} enterprises")

    writer = BulkWriter(*t.loan_book(), checked=(t.transaction, t.entry))
    try:
        for first in range(0, loans, CHUNK):
            for i in range(first, min(loans, first + CHUNK)):
                book.add_loan(writer, i)
            if writer.copy:
                writer.flush_in_background()
            else:
                with transaction.atomic():
                    writer.flush()
            step(f"{min(loans, first + CHUNK)} loans generated")
    finally:
        writer.close()
    step(f"loans written; COPY seconds by table { ({k: round(v, 1) for k, v in writer.seconds.items()}) }")

    with transaction.atomic():
        money_side = MoneySide(book)
        money = money_side.write()
        counters_from_rows()
    step("injections, deposits, interest; counters set from the rows")
    if writer.bypass:
        loaded = [table for table in [t.enterprise, *t.loan_book()] if table not in (t.transaction, t.entry)]
        loaded += [money_side.injection, money_side.agreement, money_side.topup, money_side.interest]
        broken = orphans(loaded)
        if broken:
            raise ValueError(f"foreign keys without their row: {broken}")
        step("every foreign key of the COPY'd rows checked")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        step("ANALYZE")
    return {
        "loans": loans,
        "enterprises": enterprises,
        "banks": banks,
        "fates": dict(book.totals.fates),
        "outstanding": fen(book.totals.outstanding),
        "net_compensation": fen(book.totals.net_compensation),
        "pool_special": fen(money["pool_special"]),
        "rows": writer.written,
        "seconds": round(time.monotonic() - began, 1),
    }
