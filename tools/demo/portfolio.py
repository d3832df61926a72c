"""The demo portfolio of ``make demo`` (``load_demo --portfolio``): a deterministic programme built ONLY through
the services, day by day, with a close of business after each day so that every chart has a history.

The book: the region, the city and every district pay in (two districts in instalments); five banks sign with
two guarantors; a few hundred Baotou enterprises (valid USCCs, chars 3–6 ``1502``) borrow from January 2025 to two
weeks before the last day (the 2021 version runs through 2026-04-29; the bureau renews it in March 2026), bullet or
quarterly instalments, for 6, 9 or 12 months. Most loans are repaid on time, some late; some are compensated after
more than 25 days overdue and two collection calls (art. 31, 32), some only after months of collection, and many
of those are partly recovered (art. 33, 34). 2025 is an ordinary year, 2026 a stressed one (``history``): two
years of history for the stop-line forecast and its back-test. Loans that matured lately sit in the bucket their
age gives them. A few disbursement notices come late (art. 27). The trustee credits quarterly interest (art. 12);
banks over 10 × deposit are topped up (requested by the trustee, approved by the bureau, executed by the trustee,
art. 16), and at the end one request waits for approval.

The same seed gives the same loan book; the state it reaches depends on ``until`` (default: yesterday).
"""

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from riskfund.access import ALL_ROLES, AUDITOR, BUREAU, DISTRICT, TRUSTEE
from riskfund.errors import RuleViolation
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
from riskfund.parties.models import Bank, Funder, StaffProfile
from riskfund.parties.seed import seed_funders
from riskfund.parties.services import agreement_sign, bank_create, guarantor_create
from riskfund.policy.seed import seed_reference_data
from riskfund.policy.services import policy_version_approve
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.models import DepositTopUp
from riskfund.pool.selectors import topup_suggested
from riskfund.pool.services import injection_post, interest_post, topup_approve, topup_execute, topup_request

from .history import RENEWAL_APPROVED, RENEWAL_PROPOSED, last_loan_date, loan_outcome, propose_renewal

D = Decimal
FEN = D("0.01")
START = date(2024, 12, 2)
FIRST_LOAN = date(2025, 1, 6)
POLICY_2021_ENDS = date(2026, 4, 29)
TERMS = [6, 9, 12, 12]  # months (art. 22: at most 12): the first loans mature from July 2025
SEED = 2026

BANKS = [
    ("BOCBT", "中国银行包头分行"),
    ("ICBCBT", "中国工商银行包头分行"),
    ("CCBBT", "中国建设银行包头分行"),
    ("IMBBT", "内蒙古银行包头分行"),
    ("BTRCB", "包头农村商业银行"),
]
GUARANTORS = [("BJDB", "包头市百佳融资担保有限责任公司"), ("BTZXDB", "包头市中小企业融资担保有限公司")]
# district code → (weight of the loan book, instalments of its injection)
DISTRICTS = {
    "150202": (14, 1),
    "150203": (20, 1),
    "150204": (14, 1),
    "150205": (3, 2),
    "150206": (2, 2),
    "150207": (12, 1),
    "150221": (8, 1),
    "150222": (6, 1),
    "150223": (4, 1),
    "150271": (17, 1),
}
NAME_HEADS = [
    "鹿城",
    "北方",
    "华鑫",
    "钢城",
    "稀宝",
    "金山",
    "草原",
    "黄河",
    "阴山",
    "恒源",
    "德润",
    "瑞丰",
    "兴业",
    "宏达",
]
NAME_TRADES = {
    "industry": ["机械制造", "稀土材料", "铝业加工", "新材料", "装备制造", "食品加工"],
    "wholesale": ["商贸", "物资供应"],
    "retail": ["商超", "连锁零售"],
    "software_it": ["信息技术", "软件科技"],
    "transport": ["物流运输", "汽车运输"],
    "construction": ["建筑安装", "市政工程"],
}
DEMO_PASSWORDS = {
    "bureau": "riskfund-bureau-2026",
    "bureau2": "riskfund-bureau2-2026",
    "trustee": "riskfund-trustee-2026",
    "district": "riskfund-district-2026",
    "auditor": "riskfund-auditor-2026",
}
DEMO_USER_ROLES = {"bureau": BUREAU, "bureau2": BUREAU, "trustee": TRUSTEE, "district": DISTRICT, "auditor": AUDITOR}
DEMO_DISTRICT = "150203"  # the demo district officer: 昆都仑区


def make_uscc(serial: int, district: str) -> str:
    """ "91" (enterprise) + the division code (chars 3–6 ``1502``) + a 9-digit serial + the GB 32100 check char."""
    first17 = f"91{district}{serial:09d}"
    return first17 + uscc_check_char(first17)


def demo_loaded() -> bool:
    return Bank.objects.filter(code=BANKS[0][0]).exists()


def demo_users() -> dict[str, str]:
    """One staff user per role (two for the bureau: maker-checker needs a second approver); returns passwords."""
    User = get_user_model()
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    for username, role in DEMO_USER_ROLES.items():
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@riskfund.invalid"})
        user.is_staff = True
        user.is_superuser = False
        user.set_password(DEMO_PASSWORDS[username])
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if role == DISTRICT:
            StaffProfile.objects.update_or_create(user=user, defaults={"district_id": DEMO_DISTRICT})
    return dict(DEMO_PASSWORDS)


@dataclass
class Plan:
    """The dated events of the simulation: ``at[d]`` runs on day ``d`` in insertion order."""

    at: dict[date, list[Callable[[], None]]] = field(default_factory=lambda: defaultdict(list))

    def on(self, d: date, action: Callable[[], None]) -> None:
        self.at[d].append(action)


def _interest(principal: Decimal, rate: Decimal, days: int) -> Decimal:
    return (principal * rate / 100 * days / 365).quantize(FEN, rounding=ROUND_HALF_UP)


def _quarterly_schedule(principal: Decimal, disbursed_on: date, term_months: int) -> list[tuple[date, Decimal]]:
    """Equal quarterly instalments (to the thousand yuan), the rest at maturity."""
    count = term_months // 3
    parts = [(principal / count).quantize(D("1000"))] * (count - 1)
    dues = [add_months(disbursed_on, 3 * k) for k in range(1, count + 1)]
    return list(zip(dues, [*parts, principal - sum(parts)], strict=True))


class PortfolioBuilder:
    def __init__(self, *, enterprises: int, until: date, today: date, cob: bool, log: Callable[[str], None]):
        self.rng = random.Random(SEED)  # noqa: S311 — a reproducible demo, not a secret
        self.enterprises = enterprises
        self.until = until
        self.today = today
        self.cob = cob
        self.log = log
        self.plan = Plan()
        self.users = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.last_loan = last_loan_date(until, POLICY_2021_ENDS)

    # --- the set-up ---------------------------------------------------------------------------------------
    def setup(self) -> None:
        seed_reference_data()
        seed_funders()
        User = get_user_model()
        self.users = {name: User.objects.get(username=name) for name in DEMO_USER_ROLES}
        self.banks = [bank_create(code=code, name=name) for code, name in BANKS]
        self.guarantors = [guarantor_create(code=code, name=name) for code, name in GUARANTORS]
        for index, bank in enumerate(self.banks):
            # signed once the money is in: the initial deposit leaves pool:special (art. 16)
            self.plan.on(
                START + timedelta(days=3 + index),
                lambda b=bank, i=index: agreement_sign(
                    bank=b,
                    guarantor=self.guarantors[i % len(self.guarantors)],
                    signed_on=START + timedelta(days=3 + i),
                    user=self.users["bureau"],
                ),
            )

    def plan_renewal(self) -> None:
        """The 2026 renewal (art. 40, demo_history): proposed by one bureau user, approved by another."""
        if self.until < RENEWAL_APPROVED:
            return
        pending = {}
        self.plan.on(RENEWAL_PROPOSED, lambda: pending.update(version=propose_renewal(proposer=self.users["bureau"])))
        self.plan.on(
            RENEWAL_APPROVED, lambda: policy_version_approve(version=pending["version"], user=self.users["bureau2"])
        )

    def plan_injections(self) -> None:
        trustee = self.users["trustee"]

        def inject(code: str, amount: str, on: date) -> None:
            self.plan.on(
                on,
                lambda: injection_post(
                    funder=Funder.objects.get(code=code),
                    paid_on=on,
                    amount=D(amount),
                    reference=f"DEMO-{code}-{on:%Y%m%d}",
                    user=trustee,
                ),
            )

        inject("region", "30000000", START)
        inject("city", "30000000", START)
        for offset, (code, (_weight, instalments)) in enumerate(DISTRICTS.items()):
            first = START + timedelta(days=offset % 3)
            if instalments == 1:
                inject(code, "8000000", first)
            else:
                inject(code, "4000000", first)
                inject(code, "4000000", date(2025, 9, 15))
        inject("city", "10000000", date(2026, 3, 2))  # the city's extra contribution of 2026

    def plan_interest(self) -> None:
        day = date(2025, 3, 21)
        while day <= self.until:
            amount = D(self.rng.randint(180_000, 260_000)).quantize(FEN)
            self.plan.on(
                day,
                lambda d=day, a=amount: interest_post(
                    credited_on=d,
                    amount=a,
                    account="special",
                    reference=f"DEMO-INT-{d:%Y%m}",
                    user=self.users["trustee"],
                ),
            )
            day = add_months(day, 3)

    def plan_topups(self) -> None:
        """Quarterly: every bank over 10 × deposit is topped up (the last bank lags: it is never topped up)."""
        day = date(2025, 4, 1)
        while day + timedelta(days=14) < self.until:
            for bank in self.banks[:-1]:
                self.plan.on(day, lambda b=bank, d=day: self._topup_cycle(b, d))
            day = add_months(day, 3)
        # at the end: one request awaits the bureau's approval (requested by the trustee)
        last = self.until - timedelta(days=2)
        self.plan.on(last, lambda: self._final_request(last))

    def _topup_request(self, bank: Bank, on: date) -> DepositTopUp | None:
        amount = topup_suggested(bank, on)
        if amount <= 0 or DepositTopUp.objects.filter(bank=bank, status__in=["requested", "approved"]).exists():
            return None
        self.counts["top-ups requested"] += 1
        return topup_request(
            bank=bank,
            amount=amount,
            reason="在贷余额超过抵押金10倍（第十六条）",
            user=self.users["trustee"],
            requested_on=on,
        )

    def _final_request(self, on: date) -> None:
        """The lagging bank first, else any bank over its trigger: one request is left for the bureau."""
        for bank in reversed(self.banks):
            if self._topup_request(bank, on) is not None:
                return

    def _topup_cycle(self, bank: Bank, on: date) -> None:
        topup = self._topup_request(bank, on)
        if topup is None:
            return
        approved_on, executed_on = on + timedelta(days=3), on + timedelta(days=12)
        self.plan.on(
            approved_on,
            lambda: topup_approve(
                topup=topup, amount=topup.requested_amount, approved_on=approved_on, user=self.users["bureau"]
            ),
        )
        self.plan.on(
            executed_on,
            lambda: topup_execute(
                topup=DepositTopUp.objects.get(pk=topup.pk), executed_on=executed_on, user=self.users["trustee"]
            ),
        )

    # --- the loan book ------------------------------------------------------------------------------------
    def plan_loans(self) -> None:
        districts = list(DISTRICTS)
        weights = [DISTRICTS[code][0] for code in districts]
        span = (self.last_loan - FIRST_LOAN).days
        for serial in range(1, self.enterprises + 1):
            district = self.rng.choices(districts, weights)[0]
            industry = self.rng.choice(list(NAME_TRADES))
            disbursed = FIRST_LOAN + timedelta(days=self.rng.randint(0, span))
            self._plan_enterprise(serial, district, industry, disbursed)

    def _plan_enterprise(self, serial: int, district: str, industry: str, disbursed: date) -> None:
        rng = self.rng
        name = f"包头{rng.choice(NAME_HEADS)}{rng.choice(NAME_TRADES[industry])}有限公司（{serial:03d}）"
        figures = {
            "employees": rng.randint(8, 180),
            "revenue": D(rng.randint(2, 60) * 1_000_000),
            "total_assets": D(rng.randint(3, 50) * 1_000_000),
        }
        principal = D(rng.randint(5, 50) * 100_000)
        bank = rng.choice(self.banks)
        instalments = rng.random() < 0.4
        late_notice = rng.random() < 0.05
        fate = rng.random()
        second_loan = rng.random() < 0.2
        state = {}

        def create() -> None:
            state["enterprise"] = enterprise_create(
                uscc=make_uscc(700_000_000 + serial, district),
                name=name,
                district_code=district,
                industry=industry,
                established_on=date(2010 + serial % 12, 1 + serial % 12, 1 + serial % 27),
                user=self.users["district"] if district == DEMO_DISTRICT else self.users["bureau"],
                **figures,
            )

        applied = disbursed - timedelta(days=14)
        self.plan.on(applied, create)
        self._plan_loan(state, serial, 1, bank, principal, disbursed, instalments, late_notice, fate, second_loan)

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
    def run(self) -> dict[str, int]:
        from riskfund.cob.services import cob_run

        self.setup()
        self.plan_renewal()
        self.plan_injections()
        self.plan_interest()
        self.plan_topups()
        self.plan_loans()
        day = START
        while day <= self.until:
            with transaction.atomic():
                # events may add later events (a top-up's approval): read the list as it grows
                index = 0
                while index < len(self.plan.at.get(day, [])):
                    self.plan.at[day][index]()
                    index += 1
            if self.cob:
                cob_run(business_date=day, today=self.today)
                self.counts["daily snapshots"] += 1
            if day.day == 1:
                self.log(f"  {day}: {self.counts['loans']} loans so far")
            day += timedelta(days=1)
        return dict(self.counts)


def load_portfolio(*, enterprises: int, until: date, today: date, cob: bool = True, log=print) -> dict[str, int]:
    """Load the demo portfolio (see the module docstring); the caller checks ``demo_loaded()`` first."""
    demo_users()
    with transaction.atomic():  # all or nothing: a failed load leaves no half portfolio behind
        return PortfolioBuilder(enterprises=enterprises, until=until, today=today, cob=cob, log=log).run()
