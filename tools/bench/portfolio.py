"""A consistent synthetic portfolio for scale tests: ``generate_portfolio(loans=N, enterprises=M, banks=K)``.

What it writes (COPY on PostgreSQL, ``bulk_create`` on SQLite — ``tools.bench.bulk``):

- the reference data and funders (``bootstrap``'s seeds), two guarantors, K banks with their ledger accounts
  (``bank_create``), one active agreement per bank with its initial deposit, one executed top-up per bank;
- M Baotou enterprises (``tools.bench.enterprises``);
- N loans, each with its application, its used recommendation, its schedule (bullet, or four quarterly
  instalments) and its repayments. Loan ``i`` has a fate by ``i mod 100``: 0–1 compensated (2 %), 2–6 repaid (5 %),
  7–11 overdue and active (5 %, 1–150 days), the rest current and active (88 %); so 93 % are active on ``as_of``;
- for each compensated loan its ``Compensation``, its balanced ledger transaction and the dishonest listing; for
  half of them recoveries, for the other half a payable to the bank, unpaid or settled (``tools.bench.claims``);
- the injections of every funder (sized so that 10 × B and 25 × each district's paid-in leave 25 % headroom over
  the outstanding principal), quarterly interest, the deposits sized to 1/10 of each bank's outstanding.

Loans are spread over the banks in proportion to ``bank_shares`` (default equal) and over the enterprises round
robin (so no enterprise passes the 10,000,000 limit while N ≤ 4 M). Then every running figure is set from what the
rows imply, set-wise (``tools.bench.finish``): account balances from their entries, the PoolState figures F, N,
B and outstanding, the funders' and banks' counters, the dishonest flags. Same seed, same portfolio.

On PostgreSQL the ledger rows are COPY'd with every trigger in place: the deferred balance trigger checks each
transaction when its chunk commits. The other tables are COPY'd in chunks of ``CHUNK`` loans, one database
transaction each, by a writer thread while the next chunk is generated (``tools.bench.bulk``).
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from riskfund.ledger.models import Account
from riskfund.lending.rules import add_months
from riskfund.parties.models import Guarantor
from riskfund.policy.calendar import add_working_days
from riskfund.policy.models import LprRate, PolicyVersion

from .bulk import BulkWriter
from .claims import compensate
from .tables import Tables, fen

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHUNK = 50_000
NOTICE_DAYS = 3
RATES = [Decimal(n).scaleb(-2).quantize(Decimal("0.0001")) for n in range(300, 481, 5)]  # 3.0000 % … 4.8000 %


@dataclass
class Totals:
    """What the loan book implies for the money side (all in fens)."""

    outstanding: int = 0
    by_district: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_bank: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))
    deposit_drawn: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))  # compensated less recovered
    net_compensation: int = 0  # the pool shares of the compensations less those of the recoveries
    payables_settled: int = 0
    fates: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class Bank:
    id: UUID
    code: str
    guarantor: UUID


class LoanBook:
    """Generates enterprises and loans into a ``BulkWriter`` (see the module docstring for the fates)."""

    def __init__(self, *, rng: random.Random, as_of: date, policy: PolicyVersion, banks: list[Bank], shares: list[int]):
        self.rng = rng
        self.as_of = as_of
        self.policy = policy
        self.banks = banks
        self.slots = [bank for bank, share in zip(banks, shares, strict=True) for _ in range(share)]
        self.t = Tables()
        self.totals = Totals()
        self.accounts = dict(Account.objects.values_list("code", "id"))
        self.enterprises: list[tuple[str, str]] = []
        self._serial = 0
        self._deadlines: dict[date, date] = {}
        self._stamps: dict[date, datetime] = {}
        self.lpr = sorted(LprRate.objects.values_list("effective_on", "rate_percent"))

    # --- helpers ------------------------------------------------------------------------------------------

    def uuid(self) -> str:
        """A UUID as 32 hex digits (a form both PostgreSQL and Django's UUIDField read): the sequence number mod 256
        in the first byte, the sequence number in the next 56 bits, seeded random bits in the low 64. The first byte
        spreads the ids evenly over the uuid space, as the random ids of the application are, so that the COB's
        loan-id ranges (riskfund/cob/sql.py ``Part``) each get their share of the loans; behind it the ids are
        ordered, so the COPY appends to 256 places of each primary-key index instead of writing all over it, which
        is what keeps a million-loan load fast."""
        self._serial += 1
        return f"{self._serial % 256:02x}{self._serial:014x}{self.rng.getrandbits(64):016x}"

    def deadline(self, d: date) -> date:
        if d not in self._deadlines:
            self._deadlines[d] = add_working_days(d, NOTICE_DAYS)
        return self._deadlines[d]

    def stamp(self, d: date) -> datetime:
        if d not in self._stamps:
            self._stamps[d] = datetime.combine(d, time(10, 0), tzinfo=SHANGHAI)
        return self._stamps[d]

    def lpr_on(self, d: date) -> Decimal | None:
        rate = None
        for day, value in self.lpr:
            if day > d:
                break
            rate = value
        return rate

    # --- loans ----------------------------------------------------------------------------------------------

    def _lines(self, disbursed: date, principal: int, instalments: bool) -> list[tuple[date, int]]:
        if not instalments:
            return [(add_months(disbursed, 12), principal)]
        part = principal // 4
        return [(add_months(disbursed, 3 * k), part if k < 4 else principal - 3 * part) for k in range(1, 5)]

    def _overdue_shape(self, first_unpaid: date, instalments: bool) -> tuple[date, int]:
        """A disbursement date whose line number ``k`` (1-based) falls on or just around ``first_unpaid``."""
        k = self.rng.randint(1, 4) if instalments else 4
        disbursed = add_months(first_unpaid, -3 * k)
        return disbursed, (k if instalments else 1)

    def add_loan(self, writer: BulkWriter, i: int) -> None:
        rng, as_of, t = self.rng, self.as_of, self.t
        fate_slot = i % 100
        instalments = rng.random() < 0.5
        principal = rng.randrange(10, 201) * 1_000_000  # 100,000.00 … 2,000,000.00 yuan in fens
        first_unpaid_k = None  # 1-based index of the first line left unpaid (overdue, compensated)
        deducted = None
        if fate_slot < 2:
            fate = "compensated"
            deducted = as_of - timedelta(days=rng.randint(0, 180))
            disbursed, first_unpaid_k = self._overdue_shape(deducted - timedelta(days=rng.randint(30, 90)), instalments)
        elif fate_slot < 7:
            fate = "repaid"
            disbursed = as_of - timedelta(days=rng.randint(366, 540))
        elif fate_slot < 12:
            fate = "overdue"
            disbursed, first_unpaid_k = self._overdue_shape(as_of - timedelta(days=rng.randint(1, 150)), instalments)
        else:
            fate = "current"
            disbursed = as_of - timedelta(days=rng.randint(0, 364))
        lines = self._lines(disbursed, principal, instalments)
        paid_until = deducted if fate == "compensated" else as_of
        if first_unpaid_k is None:
            paid = [due <= paid_until for due, _ in lines]
        else:
            paid = [k < first_unpaid_k for k in range(1, len(lines) + 1)]
        self.totals.fates[fate] += 1

        bank = self.slots[i % len(self.slots)]
        enterprise, district = self.enterprises[i % len(self.enterprises)]
        rate = RATES[i % len(RATES)]
        loan_id, recommendation_id, application_id = self.uuid(), self.uuid(), self.uuid()
        registered = self.stamp(disbursed + timedelta(days=1))
        writer.add(
            t.application,
            (
                application_id,
                enterprise,
                fen(principal),
                12,
                "",
                "recommended",
                disbursed - timedelta(days=30),
                registered,
            ),
        )
        writer.add(
            t.recommendation,
            (
                recommendation_id,
                application_id,
                f"BF{i:012d}",
                bank.id,
                bank.guarantor,
                fen(principal),
                "used",
                disbursed - timedelta(days=20),
                registered,
            ),
        )
        repaid = 0
        last_paid = None
        for (due, amount), is_paid in zip(lines, paid, strict=True):
            writer.add(t.schedule, (self.uuid(), loan_id, due, fen(amount), fen(amount if is_paid else 0)))
            if is_paid:
                months = 12 if len(lines) == 1 else 3
                interest = principal * int(rate * 100) * months // (100 * 100 * 12)  # rate in % with 2 places
                writer.add(t.repayment, (self.uuid(), loan_id, due, fen(amount), fen(interest), self.stamp(due)))
                repaid += amount
                last_paid = due
        outstanding = principal - repaid
        status, closed_on, now_outstanding = "active", None, outstanding
        if fate == "repaid":
            status, closed_on, now_outstanding = "repaid", last_paid, 0
        elif fate == "compensated":
            status, closed_on, now_outstanding = "compensated", deducted, 0
        writer.add(
            t.loan,
            (
                loan_id,
                recommendation_id,
                bank.id,
                bank.guarantor,
                enterprise,
                district,
                self.policy.pk,
                f"HT{i:010d}",
                fen(principal),
                disbursed,
                lines[-1][0],
                rate,
                self.lpr_on(disbursed),
                "instalments" if instalments else "bullet",
                False,
                "",
                status,
                fen(now_outstanding),
                closed_on,
                self.deadline(disbursed),
                i % 97 == 0,
                registered,
            ),
        )
        if status == "active":
            self.totals.outstanding += outstanding
            self.totals.by_district[district] += outstanding
            self.totals.by_bank[bank.id] += outstanding
        if fate == "compensated":
            first_unpaid = lines[first_unpaid_k - 1][0]
            compensate(
                self,
                writer,
                loan=loan_id,
                bank=bank,
                enterprise=enterprise,
                district=district,
                deducted=deducted,
                first_unpaid=first_unpaid,
                loss=outstanding,
                i=i,
            )


def guarantors() -> list[Guarantor]:
    from riskfund.parties.services import guarantor_create

    rows = []
    for code, name in (("BENCHG1", "基准测试担保一号"), ("BENCHG2", "基准测试担保二号")):
        rows.append(Guarantor.objects.filter(code=code).first() or guarantor_create(code=code, name=name))
    return rows
