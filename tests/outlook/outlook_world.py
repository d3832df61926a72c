"""A small funded pool whose book on 2024-06-30 can be followed by hand (tests of the forecast's reads).

F = 24,200,000 (region 6,000,000, city 6,000,000, 东河区 150202 8,000,000, 昆都仑区 150203 4,200,000); bank BOB
with guarantor BJDB; all loans of 东河区, disbursed 2024-03-01:

- A 1,000,000.00 bullet maturing 2024-09-02 — current on 2024-06-30;
- B 600,000.00 in three instalments (2024-05-01, 2024-07-15, 2024-09-02 at 200,000.00), the first paid on
  2024-05-01 — current, 400,000.00 outstanding;
- C 500,000.00 bullet maturing 2024-06-03, unpaid — 27 days overdue on 2024-06-30 (26–60);
- D 800,000.00 bullet maturing 2024-04-01, compensated on 2024-05-06 (loss 800,000.00, pool share 320,000.00:
  96,000.00 / 96,000.00 / 128,000.00), 100,000.00 recovered on 2024-06-10 (pool 40,000.00: 12,000 / 12,000 / 16,000).

The daily run closes 2024-03-31, 04-30, 05-31 and 06-30 (N = 280,000.00 on 06-30)."""

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import factories
from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.cob.services import cob_run
from riskfund.lending.models import Loan
from riskfund.lending.services import loan_event_record, repayment_post
from riskfund.parties.models import Agreement

D = Decimal
TODAY = date(2025, 12, 31)
AS_OF = date(2024, 6, 30)
RUNS = [date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31), AS_OF]
DISBURSED = date(2024, 3, 1)


@dataclass
class World:
    loans: dict[str, Loan]


def _lend(serial: int, agreement: Agreement, principal: str, maturity: date, schedule=None) -> Loan:
    """A loan of 东河区 recommended on 2024-02-20, approved by both on 2024-02-21, disbursed 2024-03-01, with a
    guarantee as its counter-guarantee."""
    enterprise = factories.small_enterprise(uscc=factories.make_uscc(serial), name=f"包头预测测试企业{serial}有限公司")
    return factories.recommended_loan(
        enterprise=enterprise,
        bank=agreement.bank,
        guarantor=agreement.guarantor,
        principal=principal,
        recommended_on=date(2024, 2, 20),
        reported_on=date(2024, 2, 21),
        contract_no=f"OL-{serial:03d}",
        disbursed_on=DISBURSED,
        maturity_on=maturity,
        schedule=schedule,
        counter_guarantees=[{"kind": "guarantee", "description": "保证", "value": None}],
        today=TODAY,
    )


def build_world() -> World:
    factories.seed_reference()
    factories.fund_pool(factories.POOL_24_2_MILLION, on=date(2024, 1, 2))
    agreement = factories.signed_bank(
        code="BOB", name="包商预测测试银行", guarantor=factories.guarantor(), signed_on=date(2024, 1, 3)
    )
    serial = itertools.count(1)
    a = _lend(next(serial), agreement, "1000000", date(2024, 9, 2))
    schedule = [(date(2024, 5, 1), D("200000")), (date(2024, 7, 15), D("200000")), (date(2024, 9, 2), D("200000"))]
    b = _lend(next(serial), agreement, "600000", date(2024, 9, 2), schedule=schedule)
    c = _lend(next(serial), agreement, "500000", date(2024, 6, 3))
    d = _lend(next(serial), agreement, "800000", date(2024, 4, 1))
    cob_run(business_date=RUNS[0], today=TODAY)
    cob_run(business_date=RUNS[1], today=TODAY)
    repayment_post(loan=b, paid_on=date(2024, 5, 1), principal=D("200000"), interest=D("1725.00"), today=TODAY)
    for day in (date(2024, 4, 10), date(2024, 4, 20)):
        loan_event_record(loan=d, kind="collection_call", occurred_on=day, today=TODAY)
    compensation_claim(
        loan=collected(Loan.objects.get(pk=d.pk), date(2024, 5, 6)),
        deducted_on=date(2024, 5, 6),
        today=date(2024, 5, 7),
    )
    cob_run(business_date=RUNS[2], today=TODAY)
    recovery_post(loan=Loan.objects.get(pk=d.pk), recovered_on=date(2024, 6, 10), gross=D("100000"), today=TODAY)
    cob_run(business_date=RUNS[3], today=TODAY)
    return World(loans={"A": a, "B": b, "C": c, "D": d})
