"""The attack suite (issue 12): one table of hostile values (``attack.HOSTILE``) applied to EVERY POST operation of
the served OpenAPI document, as every caller the operation lets in (a staff superuser, partner bank A, or nobody for
the login). For each hostile request:

- never a 5xx: a 4xx answer;
- ``application/problem+json`` with a stable ``code`` (lower-case words; one of ``Problem.code``'s enum when the
  schema declares it), ``status`` and ``type`` agreeing;
- nothing written: the row count of every table (but the stored 400 answer, throttle counters and the failed-login
  log, ``attack.WRITTEN_ON_REFUSAL``), every ledger balance and the pool's figures are unchanged.

The operations are read from ``/api/v1/schema/`` when the module is collected, so an endpoint added later is
attacked without editing this file. An endpoint that fails here usually takes its body through a plain DRF
``Serializer`` (use ``riskfund.api.serializers.InputSerializer``: unknown keys → 400), a count without a range
(``CountField(min_value=…, max_value=…)``), free text without ``max_length``, or a date without
``BusinessDateField``.

The world (tests/banks/bank_world.py plus a payable, a top-up request and an application) is built once per module
in a transaction rolled back at its end; each test runs in a savepoint of it.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from knox.models import AuthToken
from pipeline_support import collected

from tests.security import attack, attack_schema

SCHEMA = attack_schema.served_schema()
RESOLVE = attack_schema.Resolver(SCHEMA)
OPERATIONS = {operation.operation_id: operation for operation in attack_schema.post_operations(SCHEMA)}
PROBLEM_CODES = set(attack_schema.problem_code_enum(SCHEMA, RESOLVE))
CASES = [
    (operation_id, name)
    for operation_id, operation in OPERATIONS.items()
    for name in attack.HOSTILE
    if attack.applies(name, operation, RESOLVE)
]


def build_world():
    """Bank A (BOB) with an issued and an approved recommendation, a performing loan and a 3,000,000 loan
    compensated today (pool share 1,200,000: 1,000,000 from its deposit, a 200,000 payable); bank B (BOC); a staff
    top-up request for BOB (its deposit spent on the claim); an application waiting for its recommendation; a
    superuser."""
    from django.contrib.auth import get_user_model

    from riskfund.claims.services import compensation_claim
    from riskfund.lending.services import application_create
    from riskfund.pool.services import topup_request
    from tests.banks.bank_world import build_world as bank_world
    from tests.banks.bank_world import days_ago, today

    world = bank_world()
    world.recommendation("500000", approve=True)
    world.recommendation("500000", on=days_ago(10))
    world.loan("1000000")
    compensation_claim(loan=collected(world.overdue_loan("3000000", overdue=40), today()), deducted_on=today())
    staff = get_user_model().objects.create_user(username="attack-staff", is_superuser=True)
    topup_request(bank=world.bank_a, amount="100000", reason="art. 16", user=staff)
    application_create(enterprise=world.enterprise(), amount="1000000", term_months=12, submitted_on=days_ago(5))
    _, token = AuthToken.objects.create(user=staff)
    return {
        "staff": attack.Caller("staff", Client(HTTP_AUTHORIZATION=f"Token {token}")),
        "bank": attack.Caller("bank", Client(HTTP_AUTHORIZATION=f"Api-Key {world.key_a}")),
        "anonymous": attack.Caller("anonymous", Client()),
    }


@pytest.fixture(scope="module")
def callers(django_db_setup, django_db_blocker):
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = build_world()
            tables = attack.counted_tables()
        except BaseException as exc:
            outer.__exit__(type(exc), exc, exc.__traceback__)
            raise
    yield built, tables
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def permitted(callers: dict, operation: attack_schema.Operation) -> list[attack.Caller]:
    """The callers the operation lets in: a POST without an Idempotency-Key answers them 400 (the key is checked
    after authentication and permissions); anonymous only for an operation that needs no credentials."""
    security = SCHEMA["paths"][operation.path]["post"].get("security")
    if not security or security == [{}]:
        return [callers["anonymous"]]
    let_in = []
    for caller in (callers["staff"], callers["bank"]):
        cache.clear()
        path = attack.concrete_path(caller, operation)
        response = caller.client.post(path, b"{}", content_type="application/json")
        if response.status_code not in (401, 403):
            let_in.append(caller)
    return let_in


def assert_refused(response, where: str) -> None:
    assert 400 <= response.status_code < 500, (where, response.status_code, response.content[:400])
    assert response["Content-Type"] == "application/problem+json", (where, response["Content-Type"])
    problem = response.json()
    code = problem.get("code")
    assert isinstance(code, str) and attack.CODE_RE.fullmatch(code), (where, problem)
    assert not PROBLEM_CODES or code in PROBLEM_CODES, (where, code)
    assert problem["status"] == response.status_code, (where, problem)
    assert problem["type"].endswith("/" + code) and problem["title"] and problem["detail"], (where, problem)


@pytest.mark.django_db
@pytest.mark.parametrize(("operation_id", "hostile"), CASES, ids=[f"{op}: {name}" for op, name in CASES])
def test_hostile_input_is_refused_and_writes_nothing(callers, operation_id, hostile):
    built, tables = callers
    operation = OPERATIONS[operation_id]
    let_in = permitted(built, operation)
    assert let_in, f"{operation_id}: neither staff nor bank A is let in; the suite cannot attack it"
    for caller in let_in:
        path = attack.concrete_path(caller, operation)
        base = attack.base_body(caller, operation, RESOLVE)
        before = attack.snapshot(tables)
        for request in attack.hostile_requests(hostile, operation, base, RESOLVE):
            cache.clear()  # no throttle: each request reaches the parser and the serializer
            response = caller.client.generic(
                "POST", path, request.payload, content_type=request.content_type, HTTP_IDEMPOTENCY_KEY=attack.new_key()
            )
            where = f"{caller.name} {path} {hostile} {request.label}"
            assert_refused(response, where)
            assert attack.changes(before, attack.snapshot(tables)) == {}, where


def test_every_post_of_the_schema_is_attacked():
    """The table is applied to each POST operation of the served document (26 when the suite was written)."""
    assert len(OPERATIONS) >= 26
    assert {"auth_token_create", "bank_loans_recoveries_create", "bank_reconciliation_create"} <= set(OPERATIONS)
    assert {op for op, _ in CASES} == set(OPERATIONS)
    assert len(attack.HOSTILE) == len(set(attack.HOSTILE)) >= 30
