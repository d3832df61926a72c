"""A bank, with only its key and API.md, takes a recommendation through due diligence, registration and repayments
to "repaid" (art. 25–27, 22), checking the outstanding principal after each repayment; and a defaulted loan through
compensation and recovery (art. 32–34) with the 40:20:40 and 30:30:40 figures to the fen."""

from datetime import timedelta

from bank_world import assert_problem, days_ago, post, today

from riskfund.lending.rules import add_months
from riskfund.policy.calendar import add_working_days


def test_recommendation_to_repaid_loan_through_the_api(world):
    recommendation = world.recommendation("1000000")
    other = world.recommendation("500000", bank=world.bank_b)
    bank = world.a

    # 1. the bank sees its recommendation (and not bank B's)
    listed = bank.get("/api/v1/recommendations/")
    assert listed.status_code == 200
    page = listed.json()
    assert page["count"] == 1
    row = page["results"][0]
    assert row["id"] == str(recommendation.pk)
    assert row["form_no"] == recommendation.form_no
    assert row["enterprise"] == recommendation.application.enterprise.uscc
    assert (row["amount"], row["status"]) == ("1000000.00", "issued")
    assert str(other.pk) not in listed.content.decode()

    # 2. due diligence: approve (art. 26)
    answer = post(
        bank,
        f"/api/v1/recommendations/{recommendation.pk}/due-diligence/",
        {"opinion": "approve", "reported_on": days_ago(50).isoformat(), "notes": "经营正常"},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "approved"

    # 3. registration (art. 27): instalments 300,000 + 700,000
    disbursed_on = days_ago(45)
    maturity_on = add_months(disbursed_on, 12)
    first_due = add_months(disbursed_on, 6)
    body = {
        "recommendation": str(recommendation.pk),
        "contract_no": "HT-2026-0001",
        "principal": "1000000",
        "disbursed_on": disbursed_on.isoformat(),
        "maturity_on": maturity_on.isoformat(),
        "annual_rate": "3.45",
        "repayment_method": "instalments",
        "schedule": [
            {"due_on": first_due.isoformat(), "principal": "300000"},
            {"due_on": maturity_on.isoformat(), "principal": "700000.00"},
        ],
        "extended_term": False,
        "extended_reason": "",
        "extra_fees": "0.00",
        "counter_guarantees": [{"kind": "real_estate", "description": "厂房抵押", "value": "1500000"}],
    }
    registered = post(bank, "/api/v1/loans/", body, key="register-1")
    assert registered.status_code == 201, registered.content
    loan = registered.json()
    assert registered["Location"] == f"/api/v1/loans/{loan['id']}/"
    assert loan["status"] == "active"
    assert loan["policy_version"] == "2021"
    assert loan["district"] == "150202"
    deadline = add_working_days(disbursed_on, 3)
    assert loan["notice_deadline"] == deadline.isoformat()
    assert loan["notified_late"] is (today() > deadline)  # reported 45 days after disbursement: late
    assert loan["notified_late"] is True
    assert loan["principal"] == loan["outstanding_principal"] == "1000000.00"
    assert [(line["due_on"], line["principal"]) for line in loan["schedule"]] == [
        (first_due.isoformat(), "300000.00"),
        (maturity_on.isoformat(), "700000.00"),
    ]
    assert loan["counter_guarantees"] == [{"kind": "real_estate", "description": "厂房抵押", "value": "1500000.00"}]

    # the same request with the same Idempotency-Key is replayed, nothing is written twice
    replay = post(bank, "/api/v1/loans/", body, key="register-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == loan["id"]
    assert bank.get("/api/v1/loans/").json()["count"] == 1
    assert bank.get("/api/v1/deposit/").json()["outstanding_principal"] == "1000000.00"

    # 4. repayments: outstanding after each
    loan_url = f"/api/v1/loans/{loan['id']}/"
    steps = [
        (days_ago(30), "300000", "8625.00", "700000.00", "active"),
        (days_ago(10), "200000.5", "3000", "499999.50", "active"),
        (today(), "499999.50", "1200.00", "0.00", "repaid"),
    ]
    for paid_on, principal, interest, outstanding, status in steps:
        repaid = post(
            bank,
            loan_url + "repayments/",
            {"paid_on": paid_on.isoformat(), "principal": principal, "interest": interest},
        )
        assert repaid.status_code == 201, repaid.content
        result = repaid.json()
        assert (result["outstanding_principal"], result["loan_status"]) == (outstanding, status)
        assert bank.get(loan_url).json()["outstanding_principal"] == outstanding

    detail = bank.get(loan_url).json()
    assert detail["status"] == "repaid"
    assert detail["closed_on"] == today().isoformat()
    assert detail["overdue_days"] == 0
    assert [line["paid_principal"] for line in detail["schedule"]] == ["300000.00", "700000.00"]
    assert [r["principal"] for r in detail["repayments"]] == ["300000.00", "200000.50", "499999.50"]
    assert [r["interest"] for r in detail["repayments"]] == ["8625.00", "3000.00", "1200.00"]

    # 5. a post-loan event, the lists and the deposit
    event = post(bank, loan_url + "events/", {"kind": "visit", "occurred_on": today().isoformat(), "notes": "回访"})
    assert event.status_code == 201 and event.json()["kind"] == "visit"
    assert [e["kind"] for e in bank.get(loan_url).json()["events"]] == ["visit"]
    assert bank.get("/api/v1/loans/?status=repaid").json()["count"] == 1
    assert bank.get("/api/v1/loans/?status=active").json()["count"] == 0
    deposit = bank.get("/api/v1/deposit/").json()
    assert (deposit["balance"], deposit["outstanding_principal"], deposit["topup_suggested"]) == (
        "1000000.00",
        "0.00",
        "0.00",
    )
    assert deposit["movements"]["results"][0]["change"] == "1000000.00"

    # a repaid loan takes no more principal (art. 22)
    assert_problem(
        post(bank, loan_url + "repayments/", {"paid_on": today().isoformat(), "principal": "1", "interest": "0"}),
        422,
        "repayment_exceeds_outstanding",
    )


def test_defaulted_loan_compensation_and_recovery_through_the_api(world):
    loan = world.overdue_loan("1000000", overdue=60)  # 400,000 due 60 days ago, unpaid
    bank = world.a
    loan_url = f"/api/v1/loans/{loan.pk}/"

    detail = bank.get(loan_url).json()
    assert (detail["overdue_days"], detail["overdue_bucket"]) == (60, "26-60")
    assert bank.get("/api/v1/loans/?overdue=true").json()["count"] == 1
    assert bank.get("/api/v1/loans/?overdue=false").json()["count"] == 0

    # day 25 of overdue is too early (art. 32: more than 25 days)
    too_early = today() - timedelta(days=35)
    assert_problem(
        post(bank, loan_url + "compensation/", {"deducted_on": too_early.isoformat()}), 422, "compensation_not_due"
    )

    # art. 31 (三) "多次催收无果": two collection events after the due date (today − 60) and by the deduction; a call on
    # the due date itself does not count, so with it and one call after it the claim is still refused
    due = today() - timedelta(days=60)
    for day, kind in ((due, "collection_call"), (due + timedelta(days=1), "collection_call")):
        assert post(bank, loan_url + "events/", {"kind": kind, "occurred_on": day.isoformat()}).status_code == 201
    assert_problem(
        post(bank, loan_url + "compensation/", {"deducted_on": today().isoformat()}), 422, "collection_not_attempted"
    )
    visit = {"kind": "onsite_collection", "occurred_on": (due + timedelta(days=20)).isoformat()}
    assert post(bank, loan_url + "events/", visit).status_code == 201

    claimed = post(bank, loan_url + "compensation/", {"deducted_on": today().isoformat()})
    assert claimed.status_code == 201, claimed.content
    claim = claimed.json()
    assert claim["loss"] == "1000000.00"
    assert claim["overdue_days"] == 60
    assert claim["shares"] == {"pool": "400000.00", "bank": "200000.00", "guarantor": "400000.00"}
    assert claim["pool_split"] == {"region": "120000.00", "city": "120000.00", "district": "160000.00"}
    assert (claim["from_deposit"], claim["to_payable"]) == ("400000.00", "0.00")
    assert claim["notified_late"] is False
    assert bank.get(loan_url).json()["status"] == "compensated"
    assert bank.get("/api/v1/deposit/").json()["balance"] == "600000.00"

    assert_problem(
        post(bank, loan_url + "compensation/", {"deducted_on": today().isoformat()}), 422, "loan_compensated"
    )

    recovered = post(
        bank,
        loan_url + "recoveries/",
        {"recovered_on": today().isoformat(), "gross": "50000", "costs": {"litigation": "1500", "enforcement": "500"}},
    )
    assert recovered.status_code == 201, recovered.content
    recovery = recovered.json()
    assert (recovery["gross"], recovery["net"], recovery["cumulative_net"]) == ("50000.00", "48000.00", "48000.00")
    assert recovery["costs"] == {
        "litigation": "1500.00",
        "enforcement": "500.00",
        "appraisal": "0.00",
        "commission": "0.00",
        "other": "0.00",
    }
    assert recovery["shares"] == {"pool": "19200.00", "bank": "9600.00", "guarantor": "19200.00"}
    assert recovery["pool_split"] == {"region": "5760.00", "city": "5760.00", "district": "7680.00"}
    # the pool's part of the recovery goes back into the deposit it was deducted from (SPEC §4)
    assert bank.get("/api/v1/deposit/").json()["balance"] == "619200.00"

    assert_problem(
        post(
            bank,
            loan_url + "recoveries/",
            {"recovered_on": today().isoformat(), "gross": "100", "costs": {"other": "101"}},
        ),
        422,
        "costs_exceed_recovery",
    )
