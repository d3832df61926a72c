"""Reads of the pool shared by the API, the admin and the exports (SPEC §4–§7).

Everything here is O(1) in the number of entries: it reads the ``PoolState`` row and running account
balances, never sums the ledger. ``pool_position`` reads the current state; ``on`` selects the policy
version (leverage, threshold) and the ``as_of`` label — historic positions come from the daily snapshots.
"""

from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from riskfund.ledger.chart import DEPOSIT, FUNDER, LOSS, SPECIAL
from riskfund.ledger.models import Account
from riskfund.ledger.selectors import account_balance, balances_by_prefix, balances_on
from riskfund.money import FEN, ZERO, ceil_fen
from riskfund.parties.models import Bank, Funder, FunderTier
from riskfund.policy.models import PolicyVersion
from riskfund.policy.selectors import policy_for_pool, policy_in_force
from riskfund.runcache import cached

from .models import Injection, InjectionKind, InterestCredit, PoolState

RATIO_PLACES = Decimal("0.000001")
# why new business (loan registration) is closed (SPEC §4), first applicable first
NO_POLICY_IN_FORCE = "no_policy_in_force"
POOL_SUSPENDED = "pool_suspended"
YUAN = Decimal("1")


def compensation_ratio(pool_funds: Decimal, net_compensation: Decimal) -> Decimal:
    """N ÷ F with 6 places truncated toward zero, 0 when F = 0 (SPEC §4): a pool just below the line never shows
    the threshold itself (the suspension compares N and threshold × F exactly, ``is_suspended``)."""
    if pool_funds <= ZERO:
        return Decimal("0.000000")
    return (net_compensation / pool_funds).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


def is_suspended(pool_funds: Decimal, net_compensation: Decimal, threshold: Decimal) -> bool:
    """Art. 37: suspended while N ≥ threshold × F, compared exactly (no rounded ratio); F = 0 → ratio 0."""
    return pool_funds > ZERO and net_compensation >= threshold * pool_funds


def resume_amount(pool_funds: Decimal, net_compensation: Decimal, threshold: Decimal) -> Decimal:
    """SPEC §5: the replenishment that resumes a suspended pool, N ÷ threshold − F up to the fen, + 0.01.

    After it, F' = N ÷ t + ε with ε > 0, so N < t × F' and the pool resumes (art. 37, 38).
    """
    if not is_suspended(pool_funds, net_compensation, threshold) or threshold <= 0:
        return ZERO
    return max(ZERO, ceil_fen(net_compensation / threshold - pool_funds) + FEN)


def pool_state() -> PoolState:
    """The state row, unlocked (a blank one before bootstrap)."""
    return PoolState.objects.filter(pk=1).first() or PoolState(pk=1)


def is_backdated(d: date, state: PoolState | None = None) -> bool:
    """SPEC §12: an event dated at or before the last closed business date is accepted and flagged backdated.

    ``state`` is the ``PoolState`` row the caller already holds (locked, so a run that closes a date concurrently
    is either seen or comes after); without it the row is read unlocked (once per ``run_cache`` run: an import
    holds the row's lock from its first posting, so no close can come between). False before the first run.
    """
    if state is None:
        last = cached(("last_closed_business_date",), lambda: pool_state().last_closed_business_date)
    else:
        last = state.last_closed_business_date
    return last is not None and d <= last


def pool_position(on: date | None = None) -> dict:
    """The pool position of API.md ``GET /api/v1/pool/`` plus ``resume_replenishment`` (SPEC §4, §5).

    credit capacity = leverage × B (art. 9); available = capacity − Σ outstanding of active loans, shown as a
    headroom never below 0.00. ``policy_version`` is the version in force on ``on`` (None when none is: new
    business is closed, art. 40); the pool-level figures use it, or the most recent one (SPEC §2).
    """
    as_of = on or timezone.localdate()
    state = pool_state()
    in_force = policy_in_force(as_of)
    policy = in_force or policy_for_pool(as_of)
    capacity = (policy.pool_leverage * state.pool_balance).quantize(FEN)
    resume = ZERO
    if state.suspended:
        resume = resume_amount(state.pool_funds, state.net_compensation, policy.suspension_threshold)
    closed_reason = None
    if in_force is None:
        closed_reason = NO_POLICY_IN_FORCE
    elif state.suspended:
        closed_reason = POOL_SUSPENDED
    return {
        "pool_funds": state.pool_funds,
        "net_compensation": state.net_compensation,
        "compensation_ratio": compensation_ratio(state.pool_funds, state.net_compensation),
        "suspension_threshold": policy.suspension_threshold,
        "suspended": state.suspended,
        "pool_balance": state.pool_balance,
        "credit_capacity": capacity,
        "outstanding_principal": state.outstanding_principal,
        "available_capacity": max(ZERO, capacity - state.outstanding_principal),
        "policy_version": in_force.code if in_force else None,
        "policy_expires_on": in_force.effective_to if in_force else None,
        "new_business_open": closed_reason is None,
        "new_business_closed_reason": closed_reason,
        "as_of": as_of,
        "resume_replenishment": resume,
    }


def funder_minimum(funder: Funder, policy: PolicyVersion | None = None) -> Decimal:
    """M_d of SPEC §6 (art. 8): the district minimum for the funder's flags, whatever its commitment.

    0 for the region and the city, which have no minimum.
    """
    if funder.tier != FunderTier.DISTRICT:
        return ZERO
    policy = policy or policy_for_pool(timezone.localdate())
    if funder.reduced_standard:
        return policy.district_reduced_min_injection
    return policy.district_min_injection


def district_replenishment_due(*, paid_in: Decimal, loss: Decimal, replenished: Decimal, minimum: Decimal) -> Decimal:
    """SPEC §6 (art. 13): max(0, L_d − R_d, M_d − (P_d − L_d))."""
    return max(ZERO, loss - replenished, minimum - (paid_in - loss))


def funder_figures(
    funder: Funder, *, paid_in: Decimal, loss: Decimal, replenished: Decimal, policy: PolicyVersion, city_due: Decimal
) -> dict:
    """A funder's scale cap and replenishment due from its paid-in P, loss L and replenishments R (on any date).

    scale_cap = district_scale_cap × paid-in for a district (art. 13), None otherwise. Replenishment due: a district
    per SPEC §6 (art. 13); the city ``city_due``, the resume amount while the pool is suspended (art. 38, SPEC §5);
    the region 0.
    """
    if funder.tier == FunderTier.DISTRICT:
        return {
            "scale_cap": (policy.district_scale_cap * paid_in).quantize(FEN),
            "replenishment_due": district_replenishment_due(
                paid_in=paid_in, loss=loss, replenished=replenished, minimum=funder_minimum(funder, policy)
            ),
        }
    return {"scale_cap": None, "replenishment_due": city_due if funder.tier == FunderTier.CITY else ZERO}


def replenished_by(on: date) -> dict[str, Decimal]:
    """R_d of SPEC §6 on ``on`` per funder code: replenishments paid on or before ``on``, less those of them reversed
    on or before ``on`` (``Funder.replenished_total`` is the same figure today)."""
    totals: dict[str, Decimal] = {}
    rows = Injection.objects.filter(kind=InjectionKind.REPLENISHMENT, paid_on__lte=on).values_list(
        "funder_id", "amount", "reversed_on"
    )
    for code, amount, reversed_on in rows.iterator(chunk_size=2000):
        if reversed_on is None or reversed_on > on:
            totals[code] = totals.get(code, ZERO) + amount
    return totals


def funder_list(on: date | None = None) -> list[dict]:
    """Every funder with its paid-in, loss, cap and replenishment due (API.md ``GET /api/v1/funders/``), from the
    running balances.

    scale_cap = district_scale_cap × paid-in for districts (art. 13), None otherwise. Replenishment due:
    districts per SPEC §6; the city the resume amount while the pool is suspended (art. 38, SPEC §5);
    the region 0 (``funder_figures``).
    """
    as_of = on or timezone.localdate()
    policy = policy_for_pool(as_of)
    state = pool_state()
    city_due = ZERO
    if state.suspended:
        city_due = resume_amount(state.pool_funds, state.net_compensation, policy.suspension_threshold)
    funders = Funder.objects.all()
    return _funder_rows(
        funders,
        balances={**balances_by_prefix(FUNDER), **balances_by_prefix(LOSS)},
        replenished={funder.code: funder.replenished_total for funder in funders},
        policy=policy,
        city_due=city_due,
        as_of_ledger=False,
    )


def funder_list_on(on: date, *, city_due: Decimal) -> list[dict]:
    """``funder_list`` as of the end of business date ``on``: paid-in and loss from the ledger's entries up to ``on``
    (``balances_on``), the replenishments paid by then (``replenished_by``), and ``city_due`` the caller's (the
    daily snapshot's resume figure). Each row carries ``replenished`` (paid by ``on``) instead of the outstanding
    principal: only the daily snapshot keeps a past one."""
    return _funder_rows(
        Funder.objects.all(),
        balances=balances_on(on, prefixes=(FUNDER, LOSS)),
        replenished=replenished_by(on),
        policy=policy_for_pool(on),
        city_due=city_due,
        as_of_ledger=True,
    )


def _funder_rows(
    funders, *, balances: dict, replenished: dict, policy: PolicyVersion, city_due: Decimal, as_of_ledger: bool
) -> list[dict]:
    """The funder rows of ``funder_list`` (API.md's row, with the outstanding principal now) and ``funder_list_on``
    (``as_of_ledger``: with the replenishments paid by then): region, city, then the districts by code."""
    tier_order = {FunderTier.REGION: 0, FunderTier.CITY: 1, FunderTier.DISTRICT: 2}
    rows = []
    for funder in sorted(funders, key=lambda f: (tier_order.get(f.tier, 3), f.code)):
        paid_in = balances.get(funder.account_code, ZERO)
        loss = balances.get(funder.loss_account_code, ZERO)
        paid_back = replenished.get(funder.code, ZERO)
        figures = funder_figures(
            funder, paid_in=paid_in, loss=loss, replenished=paid_back, policy=policy, city_due=city_due
        )
        row = {
            "code": funder.code,
            "name": funder.name,
            "tier": funder.tier,
            "paid_in": paid_in,
            "loss": loss,
            "commitment": funder.commitment,
            "scale_cap": figures["scale_cap"],
            "replenishment_due": figures["replenishment_due"],
        }
        if as_of_ledger:
            row["replenished"] = paid_back
        else:
            row["outstanding_principal"] = funder.outstanding_principal
        rows.append(row)
    return rows


def deposit_balance(bank: Bank) -> Decimal:
    return account_balance(bank.deposit_account_code)


def topup_suggested(bank: Bank, on: date | None = None) -> Decimal:
    """Art. 16 / SPEC §7: ceil(outstanding ÷ multiple − balance) to the yuan when outstanding > multiple ×
    balance, else 0."""
    policy = policy_for_pool(on or timezone.localdate())
    return topup_amount(bank.outstanding_principal, deposit_balance(bank), policy.deposit_topup_multiple)


def topup_amount(outstanding: Decimal, balance: Decimal, multiple: int) -> Decimal:
    """Art. 16 / SPEC §7 from the figures: ceil(outstanding ÷ multiple − balance) to the yuan when outstanding >
    multiple × balance, else 0 (for a caller that already holds the balance and the policy)."""
    if outstanding <= multiple * balance:
        return ZERO
    return (outstanding / multiple - balance).quantize(YUAN, rounding=ROUND_CEILING).quantize(FEN)


def deposit_position(bank: Bank, on: date | None = None) -> dict:
    """A bank's deposit for API.md ``GET /api/v1/deposit/`` (art. 16): balance, outstanding, suggested top-up,
    and its movements as a queryset of ledger entries on ``deposit:<code>`` (newest first, for pagination)."""
    from riskfund.ledger.models import Entry

    return {
        "balance": deposit_balance(bank),
        "outstanding_principal": bank.outstanding_principal,
        "topup_suggested": topup_suggested(bank, on),
        "movements": Entry.objects.filter(account__code=bank.deposit_account_code)
        .select_related("transaction")
        .order_by("-transaction__business_date", "-transaction__posted_at", "-id"),
    }


def interest_accounts() -> dict[str, str]:
    """Where interest can be credited (art. 12): the code an ``InterestCredit`` stores ("special", or a bank's code)
    → the name its ledger account was opened with ("资金池专户", "风险补偿抵押金—<bank>"), special first."""
    names = dict(Account.objects.filter(code__startswith=DEPOSIT).order_by("code").values_list("code", "name"))
    special = Account.objects.filter(code=SPECIAL).values_list("name", flat=True).first() or SPECIAL
    return {InterestCredit.SPECIAL: special, **{code.removeprefix(DEPOSIT): name for code, name in names.items()}}


def interest_credits_named(queryset: QuerySet) -> QuerySet:
    """``queryset`` of interest credits with ``account_name``, the same name ``interest_accounts`` gives, read in the
    same statement (a list shows it per row)."""
    ledger_code = Case(
        When(account=InterestCredit.SPECIAL, then=Value(SPECIAL)), default=Concat(Value(DEPOSIT), F("account"))
    )
    name = Account.objects.filter(code=OuterRef("ledger_code")).values("name")[:1]
    return queryset.annotate(ledger_code=ledger_code, account_name=Coalesce(Subquery(name), F("account")))
