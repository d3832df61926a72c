"""A generated book: a programme of N loans lived through the services, day by day (issue 17's round trip and the
import benchmark).

``simulate_book(loans=2000)`` pays in the funders, signs five banks with two guarantors (and a sixth that ends its
cooperation and gets its deposit back, art. 18), then over two years (2024-05-06 … 2026-04-30) lends N loans of
100,000–1,000,000 to Baotou SMEs — bullet or quarterly instalments, every one with a counter-guarantee (art. 28) and
both due-diligence opinions (art. 26) — and lives their fates: most repaid on time with interest, some late, some
compensated 27–45 days after maturity (art. 32) after two collection events (art. 31), the compensated partly
recovered with litigation costs (art. 33, 34), payables the deposit did not cover settled by the trustee; quarterly
interest (art. 12), quarterly deposit top-ups where a bank lends above 10 × its deposit (art. 16), risk warnings and
visits (art. 29). Every write is a service call, so the book obeys every rule; a loan a rule refuses (a limit
reached) is not lent. The same seed gives the same book.

Within a day the actions run in the order the import replays a book (``riskfund.imports.facts.RANK``), so an
import of the exported book meets the same state at every step.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from riskfund.claims.models import Compensation
from riskfund.claims.services import compensation_claim, payable_settle, recovery_post
from riskfund.errors import RuleViolation
from riskfund.imports.facts import RANK
from riskfund.lending.models import Loan, LoanStatus
from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    application_create,
    due_diligence_record,
    enterprise_create,
    loan_event_record,
    loan_register,
    recommendation_issue,
    repayment_post,
)
from riskfund.parties.models import Funder
from riskfund.parties.services import agreement_end, bank_create, guarantor_create
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.agreements import agreement_sign, deposit_return
from riskfund.pool.models import DepositTopUp, TopUpStatus
from riskfund.pool.selectors import topup_suggested
from riskfund.pool.services import injection_post, interest_post, topup_approve, topup_execute, topup_request

D = Decimal
FEN = D("0.01")
START = date(2024, 5, 6)
END = date(2026, 4, 30)
LAST_LOAN = date(2026, 4, 20)  # the 2021 version ends on 2026-04-29
SEED = 17
BANKS = [
    ("GBOC", "中国银行包头分行"),
    ("GICBC", "工商银行包头分行"),
    ("GCCB", "建设银行包头分行"),
    ("GIMB", "内蒙古银行包头分行"),
    ("GRCB", "包头农商银行"),
]
GUARANTORS = [("GBJDB", "包头市百佳融资担保有限责任公司"), ("GZXDB", "包头市中小企业融资担保有限公司")]
DISTRICTS = ["150202", "150203", "150204", "150205", "150206", "150207", "150221", "150222", "150223", "150271"]
INDUSTRIES = ["industry", "wholesale", "retail", "software_it", "transport"]


def make_uscc(serial: int, district: str) -> str:
    first17 = f"91{district}{serial:09d}"
    return first17 + uscc_check_char(first17)


def _interest(principal: Decimal, rate: Decimal, days: int) -> Decimal:
    return (principal * rate / 100 * days / 365).quantize(FEN, rounding=ROUND_HALF_UP)


class BookSimulation:
    def __init__(self, *, loans: int, today: date, seed: int = SEED, log: Callable[[str], None] = lambda _: None):
        self.rng = random.Random(seed)  # noqa: S311 — a reproducible book, not a secret
        self.loans, self.today, self.log = loans, today, log
        self.at: dict[date, list[tuple[int, int, Callable[[], None]]]] = defaultdict(list)
        self.sequence = 0
        self.counts: dict[str, int] = defaultdict(int)

    def on(self, day: date, kind: str, action: Callable[[], None]) -> None:
        self.sequence += 1
        self.at[day].append((RANK[kind], self.sequence, action))

    # --- the programme --------------------------------------------------------------------------------------
    def setup(self) -> None:
        for code, amount in [("region", "40000000"), ("city", "40000000")] + [(c, "8000000") for c in DISTRICTS]:
            self.on(START, "injection", lambda c=code, a=amount: self._inject(c, a, START))
        self.on(date(2025, 7, 1), "injection", lambda: self._inject("city", "10000000", date(2025, 7, 1)))
        self.banks = [bank_create(code=c, name=n) for c, n in BANKS]
        self.guarantors = [guarantor_create(code=c, name=n) for c, n in GUARANTORS]
        for index, bank in enumerate(self.banks):
            signed = START + timedelta(days=1 + index)
            self.on(signed, "agreement_sign", lambda b=bank, i=index, s=signed: self._sign(b, i, s))
        ending = bank_create(code="GEND", name="终止合作测试银行")
        self.on(START + timedelta(days=8), "agreement_sign", lambda: self._sign(ending, 0, START + timedelta(days=8)))
        self.on(date(2025, 6, 30), "agreement_end", lambda: self._end(ending, date(2025, 6, 30)))
        self.on(date(2025, 7, 10), "deposit_return", lambda: self._return(ending, date(2025, 7, 10)))
        day = date(2024, 9, 21)
        while day <= END:
            self.on(day, "interest", lambda d=day: self._interest_credit(d))
            for bank in self.banks:
                self.on(day, "topup_request", lambda b=bank, d=day: self._topup(b, d))
            day = add_months(day, 3)

    def _inject(self, code: str, amount: str, on: date) -> None:
        injection_post(
            funder=Funder.objects.get(code=code), paid_on=on, amount=D(amount), reference=f"G-{code}-{on:%Y%m%d}"
        )

    def _sign(self, bank, index: int, signed: date) -> None:
        agreement_sign(bank=bank, guarantor=self.guarantors[index % 2], signed_on=signed)

    def _end(self, bank, on: date) -> None:
        agreement_end(agreement=bank.agreements.get(), ended_on=on)

    def _return(self, bank, on: date) -> None:
        deposit_return(agreement=bank.agreements.get(), returned_on=on)

    def _interest_credit(self, on: date) -> None:
        amount = D(self.rng.randint(150_000, 300_000)) + D(self.rng.randint(0, 99)) / 100
        interest_post(credited_on=on, amount=amount, account="special", reference=f"G-INT-{on:%Y%m%d}")
        self.counts["interest"] += 1

    def _topup(self, bank, on: date) -> None:
        bank.refresh_from_db()  # its outstanding moves with every loan
        amount = topup_suggested(bank, on)
        if (
            amount <= 0
            or DepositTopUp.objects.filter(bank=bank, status__in=[TopUpStatus.REQUESTED, TopUpStatus.APPROVED]).exists()
        ):
            return
        topup = topup_request(bank=bank, amount=amount, reason="在贷余额超过抵押金10倍（第十六条）", requested_on=on)
        approved, executed = on + timedelta(days=3), on + timedelta(days=12)
        self.on(
            approved,
            "topup_approve",
            lambda: topup_approve(topup=topup, amount=amount, approved_on=approved, user=None),
        )
        self.on(
            executed,
            "topup_execute",
            lambda: topup_execute(topup=DepositTopUp.objects.get(pk=topup.pk), executed_on=executed),
        )
        self.counts["top-ups"] += 1

    # --- the loans -------------------------------------------------------------------------------------------
    def plan_loans(self) -> None:
        """Plan loans until ``self.loans`` are planned: about one enterprise in seven borrows again after repaying."""
        span = (LAST_LOAN - START).days - 30
        serial = 0
        self.planned = 0
        while self.planned < self.loans:
            serial += 1
            disbursed = START + timedelta(days=30 + self.rng.randint(0, span))
            self._plan_enterprise(serial, disbursed, again=self.rng.random() < 0.15)

    def _plan_enterprise(self, serial: int, disbursed: date, *, again: bool) -> None:
        rng = self.rng
        district = rng.choice(DISTRICTS)
        state: dict = {"serial": serial}
        applied = disbursed - timedelta(days=21)

        def create() -> None:
            state["enterprise"] = enterprise_create(
                uscc=make_uscc(800_000_000 + serial, district),
                name=f"包头生成企业{serial:05d}有限公司",
                district_code=district,
                industry=rng.choice(INDUSTRIES),
                employees=rng.randint(8, 150),
                revenue=D(rng.randint(2, 40) * 1_000_000),
                total_assets=D(rng.randint(2, 30) * 1_000_000),
                established_on=date(2008 + serial % 12, 1 + serial % 12, 1 + serial % 27),
            )

        self.on(applied, "enterprise", create)
        self._plan_loan(state, 1, disbursed, again=again)

    def _plan_loan(self, state: dict, n: int, disbursed: date, *, again: bool) -> None:
        rng = self.rng
        principal = D(rng.randint(10, 100) * 10_000)
        rate = D(rng.choice(["3.45", "3.65", "3.85", "4.05"]))
        bank = rng.choice(self.banks)
        guarantor = self.guarantors[self.banks.index(bank) % 2]
        maturity = add_months(disbursed, 12)
        instalments = rng.random() < 0.4
        if instalments:
            part = (principal / 4).quantize(D("1000"))
            dues = [add_months(disbursed, 3 * k) for k in (1, 2, 3)] + [maturity]
            schedule = list(zip(dues, [part, part, part, principal - 3 * part], strict=True))
        else:
            schedule = [(maturity, principal)]
        applied = disbursed - timedelta(days=14)
        form = f"G-{disbursed.year}-{state['serial']:05d}-{n}"
        contract = f"G-{bank.code}-{state['serial']:05d}-{n}"
        fate = rng.random()
        self.planned += 1

        def originate() -> None:
            enterprise = state.get("enterprise")
            if enterprise is None:
                return
            enterprise.refresh_from_db()
            try:
                application = application_create(
                    enterprise=enterprise, amount=principal, term_months=12, purpose="流动资金", submitted_on=applied
                )
                state["recommendation"] = recommendation_issue(
                    application=application,
                    bank=bank,
                    guarantor=guarantor,
                    amount=principal,
                    issued_on=applied,
                    form_no=form,
                )
            except RuleViolation:
                return

        def opinions(party: str) -> Callable[[], None]:
            def record() -> None:
                if "recommendation" in state:
                    due_diligence_record(
                        recommendation=state["recommendation"],
                        party=party,
                        opinion="approve",
                        reported_on=applied + timedelta(days=4),
                        today=self.today,
                    )

            return record

        def register() -> None:
            recommendation = state.pop("recommendation", None)
            if recommendation is None:
                return
            recommendation.refresh_from_db()
            try:
                state["loan"] = loan_register(
                    bank=bank,
                    recommendation=recommendation,
                    contract_no=contract,
                    principal=principal,
                    disbursed_on=disbursed,
                    maturity_on=maturity,
                    annual_rate=rate,
                    repayment_method="instalments" if instalments else "bullet",
                    schedule=schedule if instalments else None,
                    counter_guarantees=[
                        {
                            "kind": rng.choice(["guarantee", "real_estate", "receivables"]),
                            "description": "反担保",
                            "value": None,
                        }
                    ],
                    today=disbursed + timedelta(days=1 if rng.random() < 0.95 else 9),
                )
                self.counts["loans"] += 1
            except RuleViolation as exc:
                self.counts[f"refused: {exc.code}"] += 1

        self.on(applied, "application", originate)
        self.on(applied + timedelta(days=4), "dd_bank", opinions("bank"))
        self.on(applied + timedelta(days=4), "dd_guarantor", opinions("guarantor"))
        self.on(disbursed, "loan", register)
        if rng.random() < 0.3:
            self.on(disbursed + timedelta(days=rng.randint(30, 200)), "event", self._event(state, "visit"))
        previous = disbursed
        for due_on, amount in schedule[:-1]:
            if due_on <= END:
                self.on(due_on, "repayment", lambda d=due_on, a=amount, p=previous: self._repay(state, d, a, rate, p))
            previous = due_on
        last_due = schedule[-1][0]
        if fate < 0.84:
            paid_on = last_due
        elif fate < 0.93:
            paid_on = last_due + timedelta(days=rng.randint(5, 40))
        else:
            deducted = last_due + timedelta(days=rng.randint(27, 45))
            if deducted > END:
                return
            self.on(last_due + timedelta(days=-20), "event", self._event(state, "risk_warning"))
            self.on(last_due + timedelta(days=3), "event", self._event(state, "collection_call"))
            self.on(last_due + timedelta(days=15), "event", self._event(state, "onsite_collection"))
            self.on(deducted, "compensation", lambda: self._compensate(state, deducted))
            if fate > 0.96:
                recovered = deducted + timedelta(days=rng.randint(60, 150))
                if recovered <= END:
                    self.on(recovered, "recovery", lambda: self._recover(state, recovered))
            return
        if paid_on > END:
            return
        self.on(paid_on, "repayment", lambda: self._repay_rest(state, paid_on, rate, previous))
        next_disbursed = paid_on + timedelta(days=rng.randint(10, 40))
        if again and next_disbursed <= LAST_LOAN and self.planned < self.loans:
            self._plan_loan(state, n + 1, next_disbursed, again=False)

    def _event(self, state: dict, kind: str) -> Callable[[], None]:
        def record() -> None:
            loan = state.get("loan")
            if loan is not None and Loan.objects.filter(pk=loan.pk, status=LoanStatus.ACTIVE).exists():
                loan_event_record(loan=loan, kind=kind, occurred_on=self._day, notes="", today=self.today)
                self.counts["events"] += 1

        return record

    def _repay(self, state: dict, paid_on: date, amount: Decimal, rate: Decimal, since: date) -> None:
        loan = state.get("loan")
        if loan is None:
            return
        loan.refresh_from_db()
        if loan.status != LoanStatus.ACTIVE:
            return
        amount = min(amount, loan.outstanding_principal)
        interest = _interest(loan.outstanding_principal, rate, (paid_on - since).days)
        repayment_post(loan=loan, paid_on=paid_on, principal=amount, interest=interest, today=self.today)
        self.counts["repayments"] += 1

    def _repay_rest(self, state: dict, paid_on: date, rate: Decimal, since: date) -> None:
        loan = state.get("loan")
        if loan is not None:
            loan.refresh_from_db()
            self._repay(state, paid_on, loan.outstanding_principal, rate, since)

    def _compensate(self, state: dict, deducted: date) -> None:
        loan = state.get("loan")
        if loan is None:
            return
        compensation = compensation_claim(
            loan=Loan.objects.get(pk=loan.pk), deducted_on=deducted, today=deducted + timedelta(days=2)
        )
        self.counts["compensations"] += 1
        if compensation.to_payable > 0:
            settled = deducted + timedelta(days=10)
            if settled <= END:
                self.on(settled, "payable_settle", lambda: self._settle(compensation, settled))

    def _settle(self, compensation: Compensation, on: date) -> None:
        payable_settle(payable=Compensation.objects.get(pk=compensation.pk).payable, settled_on=on, today=self.today)
        self.counts["payables settled"] += 1

    def _recover(self, state: dict, recovered: date) -> None:
        loan = Loan.objects.get(pk=state["loan"].pk)
        gross = (loan.compensation.loss * D(self.rng.choice(["0.2", "0.35", "0.5"]))).quantize(FEN)
        recovery_post(
            loan=loan,
            recovered_on=recovered,
            gross=gross,
            costs={"litigation": (gross * D("0.05")).quantize(FEN)},
            today=self.today,
        )
        self.counts["recoveries"] += 1

    def run(self) -> dict[str, int]:
        self.setup()
        self.plan_loans()
        day = START
        while day <= END:
            self._day = day
            done = 0
            while len(self.at.get(day, [])) > done:  # an action may add actions to its own day
                todo = sorted(self.at[day][done:])
                self.at[day] = self.at[day][:done] + todo
                for _, _, action in todo:
                    action()
                done += len(todo)
            if day.day == 1:
                self.log(f"  {day}: {self.counts['loans']} loans so far")
            day += timedelta(days=1)
        return dict(self.counts)


def simulate_book(
    *, loans: int, today: date, seed: int = SEED, log: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Live a two-year programme of about ``loans`` loans through the services (see the module docstring); the
    caller has seeded the funders, the SME standard, the LPR and the 2021 policy version."""
    with transaction.atomic():
        return BookSimulation(loans=loans, today=today, seed=seed, log=log).run()
