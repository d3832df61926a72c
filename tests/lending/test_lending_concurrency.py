"""Concurrent registrations from real threads serialise on the PoolState row (SPEC §8): a limit is never
overshot, on PostgreSQL (SELECT … FOR UPDATE) and on SQLite (IMMEDIATE transactions + busy timeout)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from threading import Barrier

import pytest
from django.db import connection
from lending_world import DISTRICT, build_world

from riskfund.errors import RuleViolation
from riskfund.lending.models import Loan
from riskfund.lending.services import application_create, recommendation_issue
from riskfund.parties.models import Bank, Funder
from riskfund.pool.models import PoolState

D = Decimal


def _race(world, recommendations) -> list[str]:
    """Register every recommendation at once, one thread each; returns "ok" or the refusal code per thread."""
    barrier = Barrier(len(recommendations))
    contract_nos = [f"HT-RACE-{i:02d}" for i in range(len(recommendations))]

    def attempt(args) -> str:
        recommendation, contract_no = args
        try:
            barrier.wait(timeout=30)
            world.register(recommendation, contract_no=contract_no)
            return "ok"
        except RuleViolation as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(recommendations)) as pool:
        return list(pool.map(attempt, zip(recommendations, contract_nos, strict=True)))


def _assert_counters_match_loans(world) -> None:
    active = Loan.objects.filter(status="active")
    total = sum(active.values_list("outstanding_principal", flat=True), D("0"))
    assert PoolState.objects.get().outstanding_principal == total
    assert Funder.objects.get(code=DISTRICT).outstanding_principal == total
    bank = Bank.objects.get(pk=world.bank.pk)
    assert (bank.outstanding_principal, bank.active_loans) == (total, active.count())


@pytest.mark.django_db(transaction=True)
def test_art22_six_simultaneous_3m_loans_for_one_firm_exactly_three_land(policy_2021):
    world = build_world(policy_2021)  # capacity 40,000,000, district cap 100,000,000
    enterprise = world.enterprise()
    recommendations = [world.recommendation(enterprise, "3000000") for _ in range(6)]
    results = _race(world, recommendations)
    # 3 × 3,000,000 = 9,000,000 ≤ 10,000,000 < 12,000,000
    assert sorted(results) == ["enterprise_limit_exceeded"] * 3 + ["ok"] * 3
    assert Loan.objects.filter(enterprise=enterprise).count() == 3
    _assert_counters_match_loans(world)


@pytest.mark.django_db(transaction=True)
def test_art9_registrations_racing_for_the_last_capacity_exactly_what_fits_lands(policy_2021):
    world = build_world(policy_2021, injections={DISTRICT: "1000000"})  # B 1,000,000 → capacity 10,000,000
    world.lend(world.enterprise(), "4000000.01")  # leaves 5,999,999.99: two 2,000,000 loans fit, not three
    recommendations = [world.recommendation(world.enterprise(), "2000000") for _ in range(8)]
    results = _race(world, recommendations)
    assert sorted(results) == ["ok"] * 2 + ["pool_capacity_exceeded"] * 6
    assert PoolState.objects.get().outstanding_principal == D("8000000.01")
    _assert_counters_match_loans(world)


@pytest.mark.django_db(transaction=True)
def test_art25_simultaneous_recommendations_get_distinct_gap_free_form_numbers(policy_2021):
    world = build_world(policy_2021)
    applications = [
        application_create(enterprise=world.enterprise(), amount=D("1000000"), term_months=12) for _ in range(6)
    ]
    barrier = Barrier(len(applications))

    def issue(application) -> str:
        try:
            barrier.wait(timeout=30)
            return recommendation_issue(
                application=application,
                bank=world.bank,
                guarantor=world.guarantor,
                amount=D("1000000"),
                issued_on=date(2026, 3, 2),
            ).form_no
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(applications)) as pool:
        numbers = list(pool.map(issue, applications))
    assert sorted(numbers) == [f"ZBJ-2026-{n:06d}" for n in range(1, 7)]
