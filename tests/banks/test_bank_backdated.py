"""Backdated events through the bank API (SPEC §12): every answer that returns a loan, a repayment, a post-loan
event, a compensation or a recovery says whether it was dated at or before the last closed business date."""

from bank_world import days_ago, post, today

from riskfund.cob.services import cob_run
from riskfund.lending.rules import add_months


def test_answers_flag_events_dated_at_or_before_the_last_closed_business_date(world):
    loan = world.overdue_loan("1000000", overdue=60)  # registered before any run: not backdated
    closed = days_ago(5)
    cob_run(business_date=closed)
    bank = world.a
    loan_url = f"/api/v1/loans/{loan.pk}/"

    flags = []
    for paid_on in (closed, today()):
        answer = post(
            bank, loan_url + "repayments/", {"paid_on": paid_on.isoformat(), "principal": "0", "interest": "10"}
        )
        assert answer.status_code == 201, answer.content
        flags.append(answer.json()["backdated"])
    assert flags == [True, False]
    for occurred_on in (closed, today()):
        answer = post(bank, loan_url + "events/", {"kind": "visit", "occurred_on": occurred_on.isoformat()})
        assert answer.status_code == 201, answer.content
    detail = bank.get(loan_url).json()
    assert detail["backdated"] is False
    assert [r["backdated"] for r in detail["repayments"]] == [True, False]
    assert [e["backdated"] for e in detail["events"]] == [True, False]

    disbursed = days_ago(10)
    registered = post(
        bank,
        "/api/v1/loans/",
        {
            "recommendation": str(world.recommendation("300000", approve=True).pk),
            "contract_no": "HT-BACKDATED-1",
            "principal": "300000",
            "disbursed_on": disbursed.isoformat(),
            "maturity_on": add_months(disbursed, 12).isoformat(),
            "annual_rate": "3.45",
            "repayment_method": "bullet",
            "counter_guarantees": [{"kind": "movable", "description": "设备抵押", "value": "800000"}],
        },
    )
    assert registered.status_code == 201, registered.content
    assert registered.json()["backdated"] is True

    for occurred_on in (days_ago(59), days_ago(58)):  # art. 31 (三): two collection calls after the due date
        collection = {"kind": "collection_call", "occurred_on": occurred_on.isoformat()}
        assert post(bank, loan_url + "events/", collection).status_code == 201
    claimed = post(bank, loan_url + "compensation/", {"deducted_on": closed.isoformat()})
    assert claimed.status_code == 201, claimed.content
    assert (claimed.json()["overdue_days"], claimed.json()["backdated"]) == (55, True)
    recovered = post(bank, loan_url + "recoveries/", {"recovered_on": today().isoformat(), "gross": "1000"})
    assert recovered.status_code == 201, recovered.content
    assert recovered.json()["backdated"] is False
