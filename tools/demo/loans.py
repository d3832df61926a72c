"""What happens to each demo loan once planned (tools/demo/portfolio.py): its disbursement through the services,
repayments on time or late, collection calls, compensation after more than 25 days overdue (art. 31, 32) and
recoveries (art. 33, 34), each on its date of the plan. ``LoanPlans`` is mixed into ``PortfolioBuilder``."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from riskfund.errors import RuleViolation
from riskfund.lending.models import Loan, LoanStatus
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    loan_event_record,
    loan_register,
    recommendation_issue,
    repayment_post,
)

from .cast import DEMO_DISTRICT, FEN, TERMS, D
from .history import loan_outcome


def _interest(principal: Decimal, rate: Decimal, days: int) -> Decimal:
    return (principal * rate / 100 * days / 365).quantize(FEN, rounding=ROUND_HALF_UP)


def _quarterly_schedule(principal: Decimal, disbursed_on: date, term_months: int) -> list[tuple[date, Decimal]]:
    """Equal quarterly instalments (to the thousand yuan), the rest at maturity."""
    count = term_months // 3
    parts = [(principal / count).quantize(D("1000"))] * (count - 1)
    dues = [add_months(disbursed_on, 3 * k) for k in range(1, count + 1)]
    return list(zip(dues, [*parts, principal - sum(parts)], strict=True))


class LoanPlans:
    """The loan side of ``PortfolioBuilder``: it uses the builder's ``rng``, ``plan``, ``users``, ``counts``."""

    def _plan_loan(self, state, serial, n, bank, principal, disbursed, instalments, late_notice, fate, again) -> None:
        rng = self.rng
        term = rng.choice(TERMS)
        maturity = add_months(disbursed, term)
        rate = D(rng.choice(["3.45", "3.65", "3.85", "4.05"]))
        contract = f"DEMO-{bank.code}-{serial:04d}-{n}"
        schedule = _quarterly_schedule(principal, disbursed, term) if instalments else [(maturity, principal)]
        guarantor = self.guarantors[self.banks.index(bank) % len(self.guarantors)]
        applied = disbursed - timedelta(days=14)

        def originate() -> None:
            enterprise = state.get("enterprise")
            if enterprise is None:
                return
            application = application_create(
                enterprise=enterprise,
                amount=principal,
                term_months=term,
                purpose="流动资金周转",
                submitted_on=applied,
                user=self.users["district"] if enterprise.district_id == DEMO_DISTRICT else self.users["bureau"],
            )
            recommendation = recommendation_issue(
                application=application,
                bank=bank,
                guarantor=guarantor,
                amount=principal,
                issued_on=applied,
                user=self.users["bureau"],
            )
            for party in ("guarantor", "bank"):  # art. 26: both opinions gate the loan
                due_diligence_record(
                    recommendation=recommendation,
                    party=party,
                    opinion="approve",
                    reported_on=applied + timedelta(days=5),
                    today=applied + timedelta(days=5),
                    user=self.users["trustee"] if party == "guarantor" else None,
                )
            recommendation.refresh_from_db()
            state["recommendation"] = recommendation

        def register() -> None:
            if "recommendation" not in state:
                return
            try:
                state["loan"] = loan_register(
                    bank=bank,
                    recommendation=state.pop("recommendation"),
                    contract_no=contract,
                    principal=principal,
                    disbursed_on=disbursed,
                    maturity_on=maturity,
                    annual_rate=rate,
                    repayment_method="instalments" if instalments else "bullet",
                    schedule=schedule if instalments else None,
                    counter_guarantees=[{"kind": "guarantee", "description": "法定代表人连带责任保证", "value": None}],
                    today=disbursed + timedelta(days=8 if late_notice else 1),
                )
                self.counts["loans"] += 1
            except RuleViolation as exc:  # a limit reached in the simulation: the bank does not lend
                self.counts[f"refused: {exc.code}"] += 1

        self.plan.on(applied, originate)
        self.plan.on(disbursed, register)

        # instalments before maturity are paid on time
        previous = disbursed
        for due_on, amount in schedule[:-1]:
            self.plan.on(due_on, lambda d=due_on, a=amount, p=previous: self._repay(state, d, a, rate, p))
            previous = due_on
        last_due = schedule[-1][0]
        if last_due >= self.until:
            return  # still running
        # what happens after the last simulated day has not happened: a late loan sits in its bucket
        outcome = loan_outcome(rng, fate, last_due)
        if outcome.deducted_on is not None:
            self._plan_compensation(state, last_due, outcome)
            return
        paid_on = outcome.paid_on
        self.plan.on(paid_on, lambda: self._repay_rest(state, paid_on, rate, previous))
        if again:
            next_disbursed = paid_on + timedelta(days=rng.randint(10, 40))
            if next_disbursed <= self.last_loan:
                self._plan_loan(
                    state, serial, n + 1, bank, principal, next_disbursed, instalments, False, rng.random(), False
                )

    def _plan_compensation(self, state, due_on: date, outcome) -> None:
        """Two collection calls after the missed due (art. 31 (三)), the deduction (art. 32), perhaps a recovery."""
        deducted = outcome.deducted_on
        for day in (due_on + timedelta(days=7), due_on + timedelta(days=20)):
            self.plan.on(day, lambda d=day: self._collect(state, d))
        self.plan.on(deducted, lambda: self._compensate(state, deducted, late=self.rng.random() < 0.2))
        if outcome.recovered_on is not None:
            recovered, share = outcome.recovered_on, outcome.recovered_share
            self.plan.on(recovered, lambda: self._recover(state, recovered, share))

    def _collect(self, state, on: date) -> None:
        loan = state.get("loan")
        if loan is not None:
            loan_event_record(loan=loan, kind="collection_call", occurred_on=on, notes="电话催收未果", today=on)

    def _repay(self, state, paid_on: date, amount: Decimal, rate: Decimal, since: date) -> None:
        loan = state.get("loan")
        if loan is None:
            return
        loan.refresh_from_db()
        if loan.status != LoanStatus.ACTIVE:
            return
        amount = min(amount, loan.outstanding_principal)
        interest = _interest(loan.outstanding_principal, rate, (paid_on - since).days)
        repayment_post(loan=loan, paid_on=paid_on, principal=amount, interest=interest, today=paid_on)
        self.counts["repayments"] += 1

    def _repay_rest(self, state, paid_on: date, rate: Decimal, since: date) -> None:
        loan = state.get("loan")
        if loan is None:
            return
        loan.refresh_from_db()
        self._repay(state, paid_on, loan.outstanding_principal, rate, since)
        state.pop("loan", None)

    def _compensate(self, state, deducted: date, *, late: bool) -> None:
        from riskfund.claims.services import compensation_claim

        loan = state.get("loan")
        if loan is None:
            return
        compensation_claim(
            loan=Loan.objects.get(pk=loan.pk),
            deducted_on=deducted,
            today=deducted + timedelta(days=8 if late else 1),
            user=self.users["bureau"],
        )
        self.counts["compensations"] += 1

    def _recover(self, state, recovered: date, share: Decimal) -> None:
        from riskfund.claims.services import recovery_post

        loan = state.get("loan")
        if loan is None:
            return
        gross = (Loan.objects.get(pk=loan.pk).compensation.loss * share).quantize(FEN)  # part of the loss comes back
        costs = {"litigation": (gross * D("0.05")).quantize(FEN)}
        recovery_post(
            loan=Loan.objects.get(pk=loan.pk), recovered_on=recovered, gross=gross, costs=costs, today=recovered
        )
        self.counts["recoveries"] += 1

    # --- the run ------------------------------------------------------------------------------------------
