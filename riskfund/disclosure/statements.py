"""A funder's monthly statement (出资方月度对账单, art. 3, 8, 13, 20, 38) for one calendar month ``YYYY-MM``.

The region, the city and each district pay into the pool (art. 3, 8) and bear its losses 30:30:40 (art. 20); a
district replenishes what its share of compensation took (art. 13), the city what resumes a suspended pool (art. 38).
Each funder's statement is its two ledger accounts over the month (SPEC §4):

paid-in, ``funder:<code>`` (credit-normal)
    opening balance (end of the day before the month) + injections + replenishments ± reversals = closing balance.
losses borne, ``loss:<code>`` (debit-normal)
    opening balance + its share of each compensation deducted in the month (loan, bank, date, amount) − its share
    of each recovery returned in the month ± any other posting (a reversal) = closing balance.

Every line is one ledger entry on one of the two accounts with a business date in the month, so the statement
reconciles with the ledger to the fen by construction: the closing balances are the ledger's balances at the end
of the month's last day (``balances_on``), the opening ones the closing less the month's entries. The closing
position is paid-in − losses; the replenishment due (SPEC §6) and, for a district, the scale cap come from
``riskfund.pool.selectors.funder_figures`` with the balances and replenishments of the month's end — the same
figures as ``GET /api/v1/funders/`` shows for today.

A district's statement also shows its loans at the month's end (art. 13): the loans disbursed by the last day and
not closed by it, their count and outstanding principal (principal − principal repaid by then), outstanding by
overdue bucket (SPEC §9, overdue days on the last day), the loans compensated (in the month and in all), and the
25× cap used: outstanding ÷ (district_scale_cap × paid-in at the month's end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from riskfund.claims.models import Compensation
from riskfund.dates import month_bounds
from riskfund.ledger.chart import FUNDER, INTEREST, LOSS
from riskfund.ledger.models import Entry, Side
from riskfund.ledger.selectors import balances_on
from riskfund.lending.models import Loan
from riskfund.lending.rules import BUCKETS, overdue_bucket
from riskfund.lending.selectors import with_first_unpaid_due, with_principal_repaid
from riskfund.money import FEN, ZERO
from riskfund.parties.models import Funder, FunderTier
from riskfund.policy.selectors import policy_for_pool
from riskfund.pool.selectors import funder_figures, funder_minimum, is_suspended, replenished_by, resume_amount

SHARE_PLACES = Decimal("0.0001")
INJECTION, REPLENISHMENT = "injection", "replenishment"
COMPENSATION, RECOVERY = "compensation", "recovery"


@dataclass(frozen=True)
class Movement:
    """One ledger entry on the funder's account: ``amount`` is its effect on the balance (negative for a reversal)."""

    business_date: date
    kind: str
    description: str
    reference: str
    amount: Decimal
    transaction: str


@dataclass(frozen=True)
class ClaimShare:
    """The funder's share of a compensation (or of a recovery returned): the loan, the bank, the date, the amounts."""

    business_date: date
    contract_no: str
    bank_code: str
    bank_name: str
    district: str
    whole: Decimal  # the compensation's loss, or the recovery's net
    pool_share: Decimal  # the pool's 40 % of it (art. 20)
    amount: Decimal  # this funder's part of the pool share (30:30:40)
    transaction: str


@dataclass
class DistrictLoans:
    """A district's loans at the month's end (art. 13)."""

    active_loans: int = 0
    outstanding: Decimal = ZERO
    buckets: dict[str, dict] = field(default_factory=lambda: {b: {"count": 0, "amount": ZERO} for b in BUCKETS})
    compensated_in_month: dict = field(default_factory=lambda: {"count": 0, "loss": ZERO, "share": ZERO})
    compensated_to_date: dict = field(default_factory=lambda: {"count": 0, "loss": ZERO, "share": ZERO})
    scale_cap: Decimal = ZERO
    cap_used: Decimal | None = None  # outstanding ÷ scale cap, 4 places; None when the cap is 0
    cap_left: Decimal = ZERO


@dataclass
class FunderStatement:
    funder: Funder
    month: str
    first: date
    last: date
    opening_paid_in: Decimal
    closing_paid_in: Decimal
    opening_loss: Decimal
    closing_loss: Decimal
    paid_in_movements: list[Movement]
    compensations: list[ClaimShare]
    recoveries: list[ClaimShare]
    other_loss_movements: list[Movement]
    replenished: Decimal  # R_d: replenishments paid (net of reversals) by the month's end
    minimum: Decimal  # M_d (0 for the region and the city)
    replenishment_due: Decimal
    pool_suspended: bool
    district: DistrictLoans | None

    def _paid(self, kind: str) -> Decimal:
        return sum((m.amount for m in self.paid_in_movements if m.kind == kind), ZERO)

    @property
    def injections(self) -> Decimal:
        return self._paid(INJECTION)

    @property
    def replenishments(self) -> Decimal:
        return self._paid(REPLENISHMENT)

    @property
    def paid_in_other(self) -> Decimal:
        """Reversals and any other posting on the paid-in account (signed)."""
        return sum((m.amount for m in self.paid_in_movements if m.kind not in (INJECTION, REPLENISHMENT)), ZERO)

    @property
    def compensation_total(self) -> Decimal:
        return sum((c.amount for c in self.compensations), ZERO)

    @property
    def recovery_total(self) -> Decimal:
        return sum((r.amount for r in self.recoveries), ZERO)

    @property
    def loss_other(self) -> Decimal:
        return sum((m.amount for m in self.other_loss_movements), ZERO)

    @property
    def opening_position(self) -> Decimal:
        return self.opening_paid_in - self.opening_loss

    @property
    def closing_position(self) -> Decimal:
        """Net contribution at the month's end: paid-in − losses borne."""
        return self.closing_paid_in - self.closing_loss


def _signed(side: str, normal: str, amount: Decimal) -> Decimal:
    return amount if side == normal else -amount


def _claim_share(entry: Entry, record) -> ClaimShare:
    loan, bank = record.loan, (record.bank if hasattr(record, "bank_id") else record.loan.bank)
    return ClaimShare(
        business_date=entry.transaction.business_date,
        contract_no=loan.contract_no,
        bank_code=bank.code,
        bank_name=bank.name,
        district=loan.district_id,
        whole=record.loss if isinstance(record, Compensation) else record.net,
        pool_share=record.share_pool,
        amount=entry.amount,
        transaction=str(entry.transaction_id),
    )


def _month_entries(funder: Funder, first: date, last: date):
    return (
        Entry.objects.filter(
            account__code__in=[funder.account_code, funder.loss_account_code],
            transaction__business_date__range=(first, last),
        )
        .select_related(
            "account",
            "transaction",
            "transaction__compensation__loan__district",
            "transaction__compensation__bank",
            "transaction__recovery__loan__bank",
            "transaction__recovery__loan__district",
        )
        .order_by("transaction__business_date", "transaction__posted_at", "id")
    )


def district_loans(funder: Funder, *, first: date, last: date, scale_cap: Decimal) -> DistrictLoans:
    """The district's loans at the end of ``last`` (module docstring); amounts summed in Python, exact."""
    figures = DistrictLoans(scale_cap=scale_cap)
    active = Loan.objects.filter(district=funder, disbursed_on__lte=last).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=last)
    )
    rows = with_principal_repaid(with_first_unpaid_due(active, last), last).values_list(
        "principal", "repaid", "first_unpaid_due"
    )
    for principal, repaid, unpaid in rows.iterator(chunk_size=2000):
        outstanding = (principal - repaid).quantize(FEN)
        days = (last - unpaid).days if unpaid is not None and unpaid < last else 0
        bucket = figures.buckets[overdue_bucket(days)]
        bucket["count"] += 1
        bucket["amount"] += outstanding
        figures.active_loans += 1
        figures.outstanding += outstanding
    compensations = Compensation.objects.filter(district=funder, deducted_on__lte=last).values_list(
        "deducted_on", "loss", "split_district"
    )
    for deducted_on, loss, share in compensations.iterator(chunk_size=2000):
        for bucket in (figures.compensated_to_date, *([figures.compensated_in_month] if deducted_on >= first else [])):
            bucket["count"] += 1
            bucket["loss"] += loss
            bucket["share"] += share
    if scale_cap > ZERO:
        figures.cap_used = (figures.outstanding / scale_cap).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
    figures.cap_left = scale_cap - figures.outstanding
    return figures


def funder_statement(funder: Funder, month: str) -> FunderStatement:
    """The statement of ``funder`` for ``month`` (``YYYY-MM``; a malformed month → 400 ``validation_error``)."""
    first, last = month_bounds(month)
    codes = (funder.account_code, funder.loss_account_code)
    closing = balances_on(last, codes=codes)
    closing_paid_in, closing_loss = closing.get(codes[0], ZERO), closing.get(codes[1], ZERO)

    paid_in_movements: list[Movement] = []
    compensations: list[ClaimShare] = []
    recoveries: list[ClaimShare] = []
    other_loss: list[Movement] = []
    for entry in _month_entries(funder, first, last).iterator(chunk_size=2000):
        txn = entry.transaction
        amount = _signed(entry.side, entry.account.normal_side, entry.amount)
        movement = Movement(txn.business_date, txn.kind, txn.description, txn.reference, amount, str(txn.pk))
        if entry.account.code == funder.account_code:
            paid_in_movements.append(movement)
        elif txn.kind == COMPENSATION and entry.side == Side.DEBIT and hasattr(txn, "compensation"):
            compensations.append(_claim_share(entry, txn.compensation))
        elif txn.kind == RECOVERY and entry.side == Side.CREDIT and hasattr(txn, "recovery"):
            recoveries.append(_claim_share(entry, txn.recovery))
        else:
            other_loss.append(movement)
    opening_paid_in = closing_paid_in - sum((m.amount for m in paid_in_movements), ZERO)
    opening_loss = (
        closing_loss
        - sum((c.amount for c in compensations), ZERO)
        + sum((r.amount for r in recoveries), ZERO)
        - sum((m.amount for m in other_loss), ZERO)
    )

    policy = policy_for_pool(last)
    city_due, suspended = ZERO, False
    if funder.tier == FunderTier.CITY:
        pool = balances_on(last, prefixes=(FUNDER, LOSS), codes=(INTEREST,))
        funds = sum((v for k, v in pool.items() if not k.startswith(LOSS)), ZERO)
        net = sum((v for k, v in pool.items() if k.startswith(LOSS)), ZERO)
        suspended = is_suspended(funds, net, policy.suspension_threshold)
        city_due = resume_amount(funds, net, policy.suspension_threshold)
    replenished = replenished_by(last).get(funder.code, ZERO)
    figures = funder_figures(
        funder, paid_in=closing_paid_in, loss=closing_loss, replenished=replenished, policy=policy, city_due=city_due
    )
    district = None
    if funder.tier == FunderTier.DISTRICT:
        district = district_loans(funder, first=first, last=last, scale_cap=figures["scale_cap"])
    return FunderStatement(
        funder=funder,
        month=month,
        first=first,
        last=last,
        opening_paid_in=opening_paid_in,
        closing_paid_in=closing_paid_in,
        opening_loss=opening_loss,
        closing_loss=closing_loss,
        paid_in_movements=paid_in_movements,
        compensations=compensations,
        recoveries=recoveries,
        other_loss_movements=other_loss,
        replenished=replenished,
        minimum=funder_minimum(funder, policy),
        replenishment_due=figures["replenishment_due"],
        pool_suspended=suspended,
        district=district,
    )
