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

from pipeline_support import collected

from riskfund.claims.services import compensation_claim, recovery_post
from riskfund.cob.services import cob_run
from riskfund.lending.models import Loan
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
from riskfund.parties.seed import seed_funders
from riskfund.parties.services import agreement_sign, bank_create, guarantor_create
from riskfund.policy.seed import seed_industry_standards, seed_lpr
from riskfund.policy.uscc import uscc_check_char
from riskfund.pool.services import injection_post

D = Decimal
TODAY = date(2025, 12, 31)
AS_OF = date(2024, 6, 30)
RUNS = [date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31), AS_OF]
DISBURSED = date(2024, 3, 1)


@dataclass
class World:
    loans: dict[str, Loan]


def _uscc(serial: int) -> str:
    first17 = f"91150202{serial:09d}"
    return first17 + uscc_check_char(first17)


def _lend(serial, bank, guarantor, principal: str, maturity: date, schedule=None) -> Loan:
    enterprise = enterprise_create(
        uscc=_uscc(serial),
        name=f"包头预测测试企业{serial}有限公司",
        district_code="150202",
        industry="industry",
        employees=50,
        revenue=D("10000000"),
        total_assets=D("8000000"),
        established_on=date(2015, 6, 1),
    )
    amount = D(principal)
    application = application_create(
        enterprise=enterprise, amount=amount, term_months=12, submitted_on=date(2024, 2, 20)
    )
    recommendation = recommendation_issue(
        application=application, bank=bank, guarantor=guarantor, amount=amount, issued_on=date(2024, 2, 20)
    )
    for party in ("guarantor", "bank"):  # art. 26: both opinions gate the loan
        due_diligence_record(
            recommendation=recommendation, party=party, opinion="approve", reported_on=date(2024, 2, 21), today=TODAY
        )
    recommendation.refresh_from_db()
    return loan_register(
        bank=bank,
        recommendation=recommendation,
        contract_no=f"OL-{serial:03d}",
        principal=amount,
        disbursed_on=DISBURSED,
        maturity_on=maturity,
        annual_rate=D("3.45"),
        repayment_method="instalments" if schedule else "bullet",
        schedule=schedule,
        counter_guarantees=[{"kind": "guarantee", "description": "保证", "value": None}],
        today=TODAY,
    )


def build_world() -> World:
    seed_funders()
    seed_industry_standards()
    seed_lpr()
    for code, amount in {"region": "6000000", "city": "6000000", "150202": "8000000", "150203": "4200000"}.items():
        injection_post(funder=Funder.objects.get(code=code), paid_on=date(2024, 1, 2), amount=D(amount))
    bank = bank_create(code="BOB", name="包商预测测试银行")
    guarantor = guarantor_create(code="BJDB", name="包头市百佳融资担保有限责任公司")
    agreement_sign(bank=bank, guarantor=guarantor, signed_on=date(2024, 1, 3))
    serial = itertools.count(1)
    a = _lend(next(serial), bank, guarantor, "1000000", date(2024, 9, 2))
    schedule = [(date(2024, 5, 1), D("200000")), (date(2024, 7, 15), D("200000")), (date(2024, 9, 2), D("200000"))]
    b = _lend(next(serial), bank, guarantor, "600000", date(2024, 9, 2), schedule=schedule)
    c = _lend(next(serial), bank, guarantor, "500000", date(2024, 6, 3))
    d = _lend(next(serial), bank, guarantor, "800000", date(2024, 4, 1))
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
