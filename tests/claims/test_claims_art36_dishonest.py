"""Art. 36 (失信企业名单): an enterprise whose loan is compensated goes on the dishonest list automatically, and is
refused new business while listed."""

from decimal import Decimal

import pytest
from claims_world import MATURITY_ON, RECOMMENDED_ON, TODAY, after
from pipeline_support import COUNTER_GUARANTEES

from riskfund.claims.services import compensation_claim
from riskfund.errors import RuleViolation
from riskfund.lending.models import DishonestAction, DishonestCause, DishonestRecord, Enterprise
from riskfund.lending.services import application_create, loan_register

D = Decimal


def test_art36_a_compensated_enterprise_is_listed_dishonest_and_a_new_application_is_refused(world):
    loan = world.lend("800000")
    enterprise = loan.enterprise
    assert enterprise.dishonest is False
    compensation_claim(loan=loan, deducted_on=after(MATURITY_ON, 26), today=TODAY)

    enterprise = Enterprise.objects.get(pk=enterprise.pk)
    assert enterprise.dishonest is True
    record = DishonestRecord.objects.get(enterprise=enterprise)
    assert (record.action, record.cause, record.on) == (
        DishonestAction.LISTED,
        DishonestCause.COMPENSATION,
        after(MATURITY_ON, 26),
    )
    assert loan.contract_no in record.reason

    with pytest.raises(RuleViolation) as refused:
        application_create(enterprise=enterprise, amount=D("100000"), term_months=12, submitted_on=RECOMMENDED_ON)
    assert (refused.value.code, refused.value.clause) == ("enterprise_dishonest", "art. 36")


def test_art36_a_loan_recommended_before_the_listing_is_refused_at_registration(world):
    loan = world.lend("800000")
    pending = world.recommendation(loan.enterprise, D("300000"))  # recommended while still honest
    compensation_claim(loan=loan, deducted_on=after(MATURITY_ON, 26), today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        loan_register(
            counter_guarantees=COUNTER_GUARANTEES,
            bank=world.bank,
            recommendation=pending,
            contract_no="DC-LATE",
            principal=D("300000"),
            disbursed_on=after(MATURITY_ON, 30),
            maturity_on=after(MATURITY_ON, 200),
            annual_rate=D("3.45"),
            repayment_method="bullet",
            today=TODAY,
        )
    assert (refused.value.code, refused.value.clause) == ("enterprise_dishonest", "art. 36")
    pending.refresh_from_db()
    assert pending.status == "approved"  # nothing was used
