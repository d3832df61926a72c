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

from django.contrib.auth import get_user_model
from django.db import transaction

from riskfund.lending.rules import add_months
from riskfund.lending.services import (
    enterprise_create,
)
from riskfund.parties.models import Bank, Funder
from riskfund.parties.services import bank_create, guarantor_create
from riskfund.policy.seed import seed_reference_data
from riskfund.policy.services import policy_version_approve
from riskfund.pool.agreements import agreement_sign
from riskfund.pool.models import DepositTopUp
from riskfund.pool.seed import seed_pool
from riskfund.pool.selectors import topup_suggested
from riskfund.pool.services import injection_post, interest_post, topup_approve, topup_execute, topup_request

from .cast import (
    BANKS,
    DEMO_DISTRICT,
    DEMO_USER_ROLES,
    DISTRICTS,
    FEN,
    FIRST_LOAN,
    GUARANTORS,
    NAME_HEADS,
    NAME_TRADES,
    POLICY_2021_ENDS,
    SEED,
    START,
    D,
    demo_users,
    make_uscc,
)
from .history import RENEWAL_APPROVED, RENEWAL_PROPOSED, last_loan_date, propose_renewal
from .loans import LoanPlans


@dataclass
class Plan:
    """The dated events of the simulation: ``at[d]`` runs on day ``d`` in insertion order."""

    at: dict[date, list[Callable[[], None]]] = field(default_factory=lambda: defaultdict(list))

    def on(self, d: date, action: Callable[[], None]) -> None:
        self.at[d].append(action)


class PortfolioBuilder(LoanPlans):
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
        seed_pool()
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
