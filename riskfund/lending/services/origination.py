"""Loan registration after disbursement (art. 27) with every origination check of SPEC §8.

``loan_register`` runs in ONE database transaction with a short pool-wide critical section: it locks the bank, the
recommendation, the enterprise and the district funder (the global lock order of riskfund/pool/posting.py), runs
every check that does not need the pool-wide counters, builds the loan, its schedule, the bank's and district's
counters and the caller's answer (``before_pool_lock``: the API's response body), and only then locks the
``PoolState`` row — LAST, held until the commit — to judge art. 37 and art. 9 on its counters and reserve the
capacity. Two registrations never overshoot a limit: the pool's limits under the ``PoolState`` lock, the district's
under its funder's row (injections into the district lock it too), the enterprise's under its row (on SQLite the
transaction is IMMEDIATE). The district, enterprise and continuity rules are judged before the pool lock but reported
after the pool's, so the first failure in SPEC §8's order is reported:

    (API: 401 → idempotency_key_required) → validation_error (400: malformed input, schedule) →
    unknown recommendation (404 not_found) → date_in_future →
    agreement_not_active (art. 14, 18: ``disbursed_on`` inside [signed_on, ends_on] of the bank's active agreement),
    recommendation_not_usable (art. 26: the bank's AND the guarantor's opinions approve), amount_exceeds_recommendation
    (art. 25), duplicate_contract_no (art. 27), fees_not_allowed (art. 17), term_too_long (art. 22 (二)),
    counter_guarantee_required (art. 28) →
    enterprise_not_eligible (art. 4, 5), enterprise_dishonest (art. 36), enterprise_under_review (art. 36) →
    no_policy_in_force (SPEC §2, art. 40), pool_suspended (art. 37), pool_capacity_exceeded (art. 9),
    district_scale_exceeded (art. 13), enterprise_limit_exceeded (art. 22 (一)),
    continuous_support_exceeded (art. 23).

Limits are judged on the counters at registration; ``disbursed_on`` selects only the policy version (whose
numbers the loan keeps for life) and the notice deadline. Every number comes from that ``PolicyVersion``; the checks
before ``no_policy_in_force`` (term, counter-guarantee) use the version in force on ``disbursed_on``, else the most
recent one that began before it.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from riskfund.dates import not_in_future
from riskfund.dbmoney import money_plus
from riskfund.errors import RuleViolation
from riskfund.ledger.selectors import account_balance
from riskfund.money import ZERO
from riskfund.parties.models import Agreement, AgreementStatus, Bank, Enterprise, Funder
from riskfund.policy.calendar import add_working_days
from riskfund.policy.models import PolicyVersion
from riskfund.policy.selectors import lpr_on, policy_for_pool, policy_in_force
from riskfund.pool.posting import pool_outstanding_add, pool_state_lock
from riskfund.pool.selectors import is_backdated

from ..models import (
    CounterGuarantee,
    CounterGuaranteeKind,
    Loan,
    LoanStatus,
    Opinion,
    PipelineEvent,
    PipelineStep,
    Recommendation,
    RecommendationStatus,
    RepaymentMethod,
    ScheduleLine,
)
from ..rules import PastLoan, continuous_support_exceeded, schedule_problems, term_too_long
from ..validation import InputError, invalid, money, today_or_default
from .enterprises import eligibility_violation

RATE_PLACES = Decimal("0.0001")
MAX_RATE = Decimal("100")


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _schedule_lines(
    *, repayment_method: str, schedule: Sequence[Any] | None, principal: Decimal, disbursed_on: date, maturity_on: date
) -> list[tuple[date, Decimal]]:
    """The principal schedule (SPEC §9): a bullet loan has one line at maturity; instalments need a list of
    ``{due_on, principal}`` (mappings, objects or pairs) that sums to the principal, ``due_on`` strictly
    increasing, the last on ``maturity_on``, every principal > 0 — else ``InputError`` on ``schedule``."""
    if repayment_method == RepaymentMethod.BULLET:
        if schedule:
            raise invalid("schedule", "到期一次性还款不提供还款计划", "art. 22")
        return [(maturity_on, principal)]
    lines: list[tuple[date, Decimal]] = []
    for index, item in enumerate(schedule or ()):
        if isinstance(item, tuple | list) and len(item) == 2:
            due_on, amount = item
        else:
            due_on, amount = _field(item, "due_on"), _field(item, "principal")
        if not isinstance(due_on, date):
            raise invalid("schedule", f"第{index + 1}期：还款日期无效", "art. 22")
        lines.append((due_on, money(amount, "schedule", clause="art. 22")))
    problems = schedule_problems(principal=principal, maturity_on=maturity_on, disbursed_on=disbursed_on, lines=lines)
    if problems:
        raise InputError({"schedule": problems}, "art. 22")
    return lines


def _counter_guarantees(items: Iterable[Any]) -> list[CounterGuarantee]:
    """Art. 28 counter-guarantees: ``{kind, description, value}``, kind one of SPEC §8's list."""
    rows = []
    for index, item in enumerate(items or ()):
        kind = _field(item, "kind")
        if kind not in CounterGuaranteeKind.values:
            raise invalid("counter_guarantees", f"第{index + 1}项：未知反担保方式 {kind!r}", "art. 28")
        value = _field(item, "value")
        rows.append(
            CounterGuarantee(
                kind=kind,
                description=(_field(item, "description") or "")[:500],
                value=None if value is None else money(value, "counter_guarantees", clause="art. 28"),
            )
        )
    return rows


def _annual_rate(value: Decimal | str) -> Decimal:
    if isinstance(value, float | bool):
        raise invalid("annual_rate", "利率不能是浮点数", "art. 22")
    try:
        rate = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise invalid("annual_rate", f"利率无效：{value!r}", "art. 22") from exc
    if not rate.is_finite() or rate < 0 or rate >= MAX_RATE or rate.quantize(RATE_PLACES) != rate:
        raise invalid("annual_rate", "年利率（%）须为0至100之间、最多4位小数", "art. 22")
    return rate


def _agreement_problem(bank: Bank, disbursed_on: date) -> str | None:
    """Art. 14, 18 (SPEC §7): the bank's agreement must be active now and ``disbursed_on`` inside
    [``signed_on``, ``ends_on``] (no ``ends_on``: open-ended)."""
    agreement = Agreement.objects.filter(bank=bank, status=AgreementStatus.ACTIVE).first()
    if agreement is None:
        return f"{bank.code} has no active agreement"
    if disbursed_on < agreement.signed_on or (agreement.ends_on is not None and disbursed_on > agreement.ends_on):
        ends = agreement.ends_on.isoformat() if agreement.ends_on else "open-ended"
        return f"disbursed_on {disbursed_on} is outside {bank.code}'s agreement [{agreement.signed_on}, {ends}]"
    return None


def _usable_problem(recommendation: Recommendation, bank: Bank) -> str | None:
    """Art. 26: usable for one loan, by the bank it was issued to, once the bank's AND the guarantor's due
    diligence approved (a reject by either closes it)."""
    if recommendation.bank_id != bank.pk:
        return f"{recommendation.form_no} was issued to another bank"
    used = Loan.objects.filter(recommendation=recommendation).exists()
    if recommendation.status == RecommendationStatus.USED or used:
        return f"{recommendation.form_no} has already been used for a loan"
    if recommendation.status == RecommendationStatus.REJECTED:
        return f"{recommendation.form_no} was closed by a rejecting due-diligence opinion"
    if recommendation.status != RecommendationStatus.APPROVED:
        opinions = {"bank": recommendation.bank_opinion, "guarantor": recommendation.guarantor_opinion}
        missing = [party for party, opinion in opinions.items() if opinion != Opinion.APPROVE]
        return f"{recommendation.form_no} lacks an approving due-diligence opinion of the {' and the '.join(missing)}"
    return None


def _past_loans(enterprise: Enterprise, disbursed_on: date) -> list[PastLoan]:
    rows = Loan.objects.filter(enterprise=enterprise, disbursed_on__lte=disbursed_on).values_list(
        "disbursed_on", "closed_on"
    )
    return [PastLoan(disbursed_on=d, closed_on=c) for d, c in rows]


def _pool_violation(*, policy: PolicyVersion, state, principal: Decimal) -> RuleViolation | None:
    """Art. 37, then art. 9, on the pool's counters (the caller holds the PoolState lock, taken last)."""
    if state.suspended:
        return RuleViolation("pool_suspended", "art. 37", "new loans are suspended")
    capacity = policy.pool_leverage * state.pool_balance
    if state.outstanding_principal + principal > capacity:
        return RuleViolation(
            "pool_capacity_exceeded",
            "art. 9",
            f"pool outstanding {state.outstanding_principal} + {principal} > {policy.pool_leverage} × "
            f"pool balance {state.pool_balance} = {capacity}",
        )
    return None


def _limit_violation(
    *, policy: PolicyVersion, district: Funder, enterprise: Enterprise, principal: Decimal
) -> RuleViolation | None:
    """Art. 13, 22 (一), in this order, on the counters now (the caller holds the funder's and enterprise's rows)."""
    paid_in = account_balance(district.account_code)
    district_cap = policy.district_scale_cap * paid_in
    if district.outstanding_principal + principal > district_cap:
        return RuleViolation(
            "district_scale_exceeded",
            "art. 13",
            f"district {district.code} outstanding {district.outstanding_principal} + {principal} > "
            f"{policy.district_scale_cap} × paid-in {paid_in} = {district_cap}",
        )
    enterprise_outstanding = Loan.objects.filter(enterprise=enterprise, status=LoanStatus.ACTIVE).aggregate(
        total=Sum("outstanding_principal")
    )["total"] or Decimal("0")
    if enterprise_outstanding + principal > policy.enterprise_max_outstanding:
        return RuleViolation(
            "enterprise_limit_exceeded",
            "art. 22",
            f"enterprise outstanding {enterprise_outstanding} + {principal} > {policy.enterprise_max_outstanding}",
        )
    return None


def loan_register(
    *,
    bank: Bank,
    recommendation: Recommendation | None,
    contract_no: str,
    principal: Decimal,
    disbursed_on: date,
    maturity_on: date,
    annual_rate: Decimal,
    repayment_method: str,
    schedule: Sequence[Any] | None = None,
    extended_term: bool = False,
    extended_reason: str = "",
    extra_fees: Decimal = Decimal("0"),
    counter_guarantees: Iterable[Any] = (),
    today: date | None = None,
    before_pool_lock: Callable[[Loan], None] | None = None,
) -> Loan:
    """Register a disbursed loan (art. 27) after the origination checks of SPEC §8 (see the module docstring
    for their order). ``recommendation`` None means the caller found none by the id it was given (the API: unknown,
    or another bank's): 404 ``not_found``, answered after the shape checks as SPEC §8 orders. On success the
    recommendation is used, the loan keeps the policy version in force on
    ``disbursed_on`` and the enterprise's district, and the counters (pool, district, bank) move in the same
    transaction. ``notice_deadline`` = the Nth working day after ``disbursed_on`` (art. 27 "3个工作日内");
    a later report is accepted and ``notified_late``; a ``disbursed_on`` at or before the last closed business date
    is accepted and ``backdated`` (SPEC §12).

    ``before_pool_lock(loan)`` runs once everything but the pool-wide rules is written, inside the transaction and
    before the ``PoolState`` lock, so the caller's reads of the new loan (the API builds its answer there) stay out
    of the pool-wide critical section; only ``backdated`` may still change after it (a close of business that ran
    meanwhile), on the returned loan."""
    today = today_or_default(today)
    # --- validation_error (400): malformed input, before any rule -----------------------------------------
    contract_no = (contract_no or "").strip()
    if not contract_no or len(contract_no) > 64:
        raise invalid("contract_no", "借款合同编号须为1–64个字符", "art. 27")
    principal = money(principal, "principal", positive=True, clause="art. 22")
    extra_fees = money(extra_fees, "extra_fees", clause="art. 17")
    rate = _annual_rate(annual_rate)
    if repayment_method not in RepaymentMethod.values:
        raise invalid("repayment_method", "还款方式应为 bullet 或 instalments", "art. 22")
    for name, value in (("disbursed_on", disbursed_on), ("maturity_on", maturity_on)):
        if not isinstance(value, date):
            raise invalid(name, "日期无效", "art. 22")
    if maturity_on <= disbursed_on:
        raise invalid("maturity_on", "到期日须晚于放款日", "art. 22")
    extended_reason = (extended_reason or "").strip()
    lines = _schedule_lines(
        repayment_method=repayment_method,
        schedule=schedule,
        principal=principal,
        disbursed_on=disbursed_on,
        maturity_on=maturity_on,
    )
    guarantees = _counter_guarantees(counter_guarantees)
    if recommendation is None:
        raise RuleViolation("not_found", "", "no such recommendation issued to this bank", status=404)

    with transaction.atomic():
        bank = Bank.objects.select_for_update().get(pk=bank.pk)
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        enterprise = Enterprise.objects.select_for_update().get(pk=recommendation.application.enterprise_id)
        district = Funder.objects.select_for_update().get(pk=enterprise.district_id)

        not_in_future(disbursed_on, "disbursed_on", today)

        problem = _agreement_problem(bank, disbursed_on)
        if problem:
            raise RuleViolation("agreement_not_active", "art. 14, 18", problem)
        problem = _usable_problem(recommendation, bank)
        if problem:
            raise RuleViolation("recommendation_not_usable", "art. 26", problem)
        if principal > recommendation.amount:
            raise RuleViolation(
                "amount_exceeds_recommendation",
                "art. 25",
                f"principal {principal} > recommended {recommendation.amount}",
            )
        if Loan.objects.filter(bank=bank, contract_no=contract_no).exists():
            raise RuleViolation("duplicate_contract_no", "art. 27", f"{bank.code} already registered {contract_no}")
        if extra_fees != ZERO:
            raise RuleViolation("fees_not_allowed", "art. 17", f"extra_fees {extra_fees} must be 0")
        # the term's numbers: the version in force on disbursed_on, else the pool's (no_policy_in_force comes later)
        term_policy = policy_in_force(disbursed_on) or policy_for_pool(disbursed_on)
        if term_too_long(
            disbursed_on=disbursed_on,
            maturity_on=maturity_on,
            normal_months=term_policy.loan_term_months,
            extended_months=term_policy.loan_term_extended_months,
            extended_term=extended_term,
            extended_reason=extended_reason,
        ):
            raise RuleViolation(
                "term_too_long",
                "art. 22",
                f"maturity {maturity_on} is more than {term_policy.loan_term_months} months "
                f"(or {term_policy.loan_term_extended_months} extended, with a reason) after {disbursed_on}",
            )
        if term_policy.counter_guarantee_required and not guarantees:
            raise RuleViolation(
                "counter_guarantee_required",
                "art. 28",
                f"policy {term_policy.code} requires at least one counter-guarantee to the guarantor",
            )

        violation = eligibility_violation(enterprise, term_policy)
        if violation is not None:
            raise violation

        policy = policy_in_force(disbursed_on)
        if policy is None:
            raise RuleViolation("no_policy_in_force", "art. 40", f"no policy version is in force on {disbursed_on}")
        # judged now, reported after the pool's rules (SPEC §8 order), which need the PoolState lock taken last
        late = _limit_violation(policy=policy, district=district, enterprise=enterprise, principal=principal)
        if late is None and continuous_support_exceeded(
            earlier=_past_loans(enterprise, disbursed_on),
            disbursed_on=disbursed_on,
            maturity_on=maturity_on,
            years=policy.continuous_support_years,
            gap_days=policy.continuous_support_gap_days,
            extension_until=enterprise.support_extension_until,
        ):
            late = RuleViolation(
                "continuous_support_exceeded",
                "art. 23",
                f"{enterprise.name}: more than {policy.continuous_support_years} years of continuous support "
                f"to {maturity_on}",
            )
        if late is not None:  # nothing to build: the pool's rules, then this one
            raise _pool_violation(policy=policy, state=pool_state_lock(), principal=principal) or late

        deadline = add_working_days(disbursed_on, policy.notice_working_days)
        loan = Loan.objects.create(
            recommendation=recommendation,
            bank=bank,
            guarantor_id=recommendation.guarantor_id,
            enterprise=enterprise,
            district=district,
            policy_version=policy,
            contract_no=contract_no,
            principal=principal,
            disbursed_on=disbursed_on,
            maturity_on=maturity_on,
            annual_rate=rate,
            lpr_rate=lpr_on(disbursed_on),
            repayment_method=repayment_method,
            extended_term=bool(extended_term),
            extended_reason=extended_reason,
            outstanding_principal=principal,
            notice_deadline=deadline,
            notified_late=today > deadline,
            backdated=is_backdated(disbursed_on),
        )
        ScheduleLine.objects.bulk_create([ScheduleLine(loan=loan, due_on=d, principal=p) for d, p in lines])
        for guarantee in guarantees:
            guarantee.loan = loan
        CounterGuarantee.objects.bulk_create(guarantees)

        previous = recommendation.status
        recommendation.status = RecommendationStatus.USED
        recommendation.save(update_fields=["status"])
        PipelineEvent.objects.create(
            application_id=recommendation.application_id,
            recommendation=recommendation,
            step=PipelineStep.LOAN,
            from_status=previous,
            to_status=RecommendationStatus.USED,
            on=disbursed_on,
            note=f"{bank.code} {contract_no} {principal}",
        )

        Bank.objects.filter(pk=bank.pk).update(
            outstanding_principal=money_plus("outstanding_principal", principal), active_loans=F("active_loans") + 1
        )
        Funder.objects.filter(pk=district.pk).update(
            outstanding_principal=money_plus("outstanding_principal", principal)
        )

        if before_pool_lock is not None:
            before_pool_lock(loan)
        state = pool_state_lock()  # LAST: the pool-wide critical section runs from here to the commit
        violation = _pool_violation(policy=policy, state=state, principal=principal)
        if violation is not None:
            raise violation
        state = pool_outstanding_add(delta=principal)
        if is_backdated(disbursed_on, state) != loan.backdated:  # a close of business ran meanwhile
            loan.backdated = not loan.backdated
            loan.save(update_fields=["backdated"])
    return loan
