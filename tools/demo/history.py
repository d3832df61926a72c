"""What becomes of each demo loan, and the policy renewal that keeps the demo lending (tools/demo/portfolio.py).

Two years of history for the stop-line forecast and its back-test (issue 14): loans whose last instalment falls due
in 2025 meet an ordinary year, those due in 2026 a stressed one (a downturn in the rare-earth and steel trades of
Baotou: more late payers, three times the defaults). A defaulted loan is compensated 27–45 days after its due date
(art. 32), or — one in three — only after 70–130 days of collection (so the 61–90 and 91+ buckets have a history);
nearly half of the compensations recover part of the loss later (art. 33, 34). Whatever falls after the last
simulated day simply has not happened yet: loans that matured lately sit in the bucket their age gives them.

The 2021 measures end on 2026-04-29 (art. 40): the bureau proposes the 2026 renewal on 2026-03-16 and a second
bureau user approves it on 2026-03-20 (maker-checker, SPEC §2), so lending goes on to the last simulated weeks.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

STRESSED_YEAR = 2026
DEFAULT_RATE = {False: 0.05, True: 0.15}
LATE_RATE = {False: 0.09, True: 0.16}
LINGERING = 0.35  # of the defaults: compensated only after 70–130 days of collection
RECOVERING = 0.45  # of the compensations: part of the loss comes back
RENEWAL_PROPOSED = date(2026, 3, 16)
RENEWAL_APPROVED = date(2026, 3, 20)
RENEWAL_FROM, RENEWAL_TO = date(2026, 4, 30), date(2031, 4, 29)


@dataclass(frozen=True)
class Outcome:
    """How a loan ends: the rest repaid on ``paid_on``, or compensated on ``deducted_on`` (then perhaps part of
    the loss recovered on ``recovered_on``)."""

    paid_on: date | None = None
    deducted_on: date | None = None
    recovered_on: date | None = None
    recovered_share: Decimal = Decimal("0")


def loan_outcome(rng: random.Random, fate: float, last_due: date) -> Outcome:
    """The outcome of a loan whose last instalment falls due on ``last_due``; ``fate`` is its uniform draw."""
    stressed = last_due.year == STRESSED_YEAR
    default, late = DEFAULT_RATE[stressed], LATE_RATE[stressed]
    if fate < default:
        wait = rng.randint(70, 130) if rng.random() < LINGERING else rng.randint(27, 45)
        deducted = last_due + timedelta(days=wait)
        if rng.random() < RECOVERING:
            share = Decimal(rng.choice(["0.2", "0.35", "0.5"]))
            return Outcome(
                deducted_on=deducted,
                recovered_on=deducted + timedelta(days=rng.randint(60, 150)),
                recovered_share=share,
            )
        return Outcome(deducted_on=deducted)
    if fate < default + late:
        return Outcome(paid_on=last_due + timedelta(days=rng.randint(5, 55 if stressed else 40)))
    return Outcome(paid_on=last_due)


def last_loan_date(until: date, policy_end: date) -> date:
    """Loans are disbursed up to two weeks before the last simulated day once the renewal is approved, else up to
    a few days before the 2021 version ends."""
    if until >= RENEWAL_APPROVED:
        return until - timedelta(days=14)
    return min(until, policy_end - timedelta(days=9))


def propose_renewal(*, proposer):
    """The 2026 renewal of the measures, every number as in 2021 (art. 40); a second bureau user approves it."""
    from riskfund.policy.services import policy_version_propose

    return policy_version_propose(
        user=proposer,
        code="2026",
        title="包头市中小微企业助保金贷款管理办法（2026年延续）",
        effective_from=RENEWAL_FROM,
        effective_to=RENEWAL_TO,
    )
