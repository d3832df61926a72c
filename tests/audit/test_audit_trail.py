"""The audit trail (issue 6): database triggers record who changed what and when for every non-ledger table —
``save()``, ``queryset.update()``, ``bulk_create()`` and ``delete()`` alike — on SQLite and on PostgreSQL (the
suite runs on both: ``DATABASE_URL`` selects PostgreSQL). The acting user comes from the request (admin session,
API token) or from ``audit_actor``."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from knox.models import AuthToken
from rest_framework.test import APIClient

from riskfund.audit.admin import stored_object_id
from riskfund.audit.context import audit_actor
from riskfund.audit.models import AuditEvent, Operation
from riskfund.audit.triggers import EXCLUDED, HIDDEN, HIDDEN_CHANGED, audited_models, tables_without_triggers
from riskfund.parties.models import Funder, Guarantor
from riskfund.policy.models import LprRate
from riskfund.pool.models import Injection
from riskfund.pool.seed import seed_pool
from riskfund.pool.services import injection_post

D = Decimal


def events(model: str, obj=None):
    rows = AuditEvent.objects.filter(model=model)
    if obj is not None:
        rows = rows.filter(object_id=stored_object_id(obj))
    return list(rows.order_by("id"))


def test_every_audited_table_has_its_triggers_and_ledger_tables_are_not_audited(db):
    labels = {m._meta.label_lower for m in audited_models()}
    assert tables_without_triggers() == []
    assert {"parties.enterprise", "lending.loan", "pool.injection", "parties.bank", "claims.compensation"} <= labels
    assert {"auth.user", "auth.group", "auth.user_groups", "approvals.approvalrequest", "banks.bankapikey"} <= labels
    assert not {label for label in labels if label.split(".")[0] in {"ledger", "audit", "cob"}}
    assert "ledger" in EXCLUDED


def test_a_save_an_update_by_save_and_a_delete_each_leave_a_row_with_old_and_new_values(people):
    ann = people["ann"]
    with audit_actor(user=ann, source="test"):
        guarantor = Guarantor.objects.create(code="G1", name="担保一")
        guarantor.name = "担保一（更名）"
        guarantor.save()
        pk = stored_object_id(guarantor)
        guarantor.delete()
    insert, update, delete = events("parties.guarantor")
    assert [e.operation for e in (insert, update, delete)] == [Operation.INSERT, Operation.UPDATE, Operation.DELETE]
    assert {e.object_id for e in (insert, update, delete)} == {pk}
    assert insert.old is None and insert.new["code"] == "G1" and insert.new["name"] == "担保一"
    assert update.changes() == [("name", "担保一", "担保一（更名）")]
    assert delete.old["name"] == "担保一（更名）" and delete.new is None
    for event in (insert, update, delete):
        assert (event.user_id, event.actor, event.source, event.db_table) == (
            ann.pk,
            "ann",
            "test",
            "parties_guarantor",
        )
        assert event.occurred_at is not None
    assert insert.occurred_at <= update.occurred_at <= delete.occurred_at


def test_queryset_update_and_bulk_create_record_every_row_with_the_acting_user(people):
    tom = people["tom"]
    with audit_actor(user=tom, source="bulk"):
        LprRate.objects.bulk_create(
            [
                LprRate(effective_on=date(2030, 1, 20), rate_percent=D("3.1000")),
                LprRate(effective_on=date(2030, 2, 20), rate_percent=D("3.0500")),
            ]
        )
        changed = LprRate.objects.filter(effective_on__year=2030).update(rate_percent=D("2.9500"))
    assert changed == 2
    inserts = [e for e in events("policy.lprrate") if e.operation == Operation.INSERT]
    updates = [e for e in events("policy.lprrate") if e.operation == Operation.UPDATE]
    assert len(inserts) == 2 and len(updates) == 2
    assert sorted(D(str(e.old["rate_percent"])) for e in updates) == [D("3.05"), D("3.1")]
    assert {D(str(e.new["rate_percent"])) for e in updates} == {D("2.95")}
    assert all(e.changes() == [("rate_percent", e.old["rate_percent"], e.new["rate_percent"])] for e in updates)
    assert {(e.user_id, e.actor, e.source) for e in inserts + updates} == {(tom.pk, "tom", "bulk")}


def test_amounts_come_back_as_decimals_never_floats(people, policy_2021):
    seed_pool()
    injection_post(funder=Funder.objects.get(code="city"), paid_on=date(2025, 1, 6), amount=D("1234567.89"))
    (event,) = [e for e in events("pool.injection") if e.operation == Operation.INSERT]
    assert event.new["amount"] == D("1234567.89")
    assert isinstance(event.new["amount"], Decimal)


def test_an_update_that_changes_nothing_is_not_recorded(people):
    guarantor = Guarantor.objects.create(code="G2", name="担保二")
    Guarantor.objects.filter(pk=guarantor.pk).update(name="担保二")
    assert [e.operation for e in events("parties.guarantor", guarantor)] == [Operation.INSERT]


def test_posting_an_injection_audits_the_business_rows_but_not_the_ledger(people, policy_2021):
    seed_pool()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with audit_actor(user=people["tom"]):
        injection_post(funder=Funder.objects.get(code="150202"), paid_on=date(2025, 1, 6), amount=D("8000000.00"))
    touched = AuditEvent.objects.filter(id__gt=last)
    assert {"pool.injection", "pool.poolstate", "parties.funder"} <= set(touched.values_list("model", flat=True))
    assert {e.actor for e in touched} == {"tom"}
    assert not any(model.startswith("ledger.") for model in AuditEvent.objects.values_list("model", flat=True))


def test_secret_columns_are_hidden_but_a_change_shows(people):
    ann = people["ann"]
    ann.set_password("a-new-password-123")
    ann.save()
    (insert, update) = events("auth.user", ann)
    assert insert.new["password"] == HIDDEN
    assert (update.old["password"], update.new["password"]) == (HIDDEN, HIDDEN_CHANGED)
    assert "a-new-password" not in str(update.new) and "md5$" not in str(update.new)


def test_group_membership_changes_are_recorded(people):
    bureau = Group.objects.get(name="bureau")
    with audit_actor(user=people["ann"], source="roles"):
        people["dan"].groups.add(bureau)
    (event,) = [
        e
        for e in events("auth.user_groups")
        if e.new and e.new["user_id"] == people["dan"].pk and e.new["group_id"] == bureau.pk
    ]
    assert (event.operation, event.actor, event.source) == (Operation.INSERT, "ann", "roles")


def test_without_a_request_or_actor_the_row_names_no_user(db):
    Guarantor.objects.create(code="G3", name="担保三")
    (event,) = events("parties.guarantor")
    assert (event.user_id, event.actor) == (None, "")


def test_the_admin_request_records_the_logged_in_user_and_the_path(client, people):
    ann = people["ann"]
    client.force_login(ann)
    response = client.post("/admin/parties/guarantor/add/", {"code": "G4", "name": "担保四"})
    assert response.status_code == 302, response.content.decode()[:500]
    (event,) = events("parties.guarantor")
    assert (event.user_id, event.actor, event.source) == (ann.pk, "ann", "POST /admin/parties/guarantor/add/")


def test_an_api_request_with_a_token_records_the_token_user(people, policy_2021):
    """The REST API authenticates in the view (after the middleware): the actor is resolved at write time."""
    seed_pool()
    tom = people["tom"]
    _, token = AuthToken.objects.create(user=tom)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_IDEMPOTENCY_KEY="audit-test-1")
    response = client.post(
        "/api/v1/funders/150202/injections/",
        {"paid_on": "2025-03-03", "amount": "500000.00", "kind": "injection"},
        format="json",
    )
    assert response.status_code == 201, response.content
    injection = Injection.objects.get()
    (event,) = events("pool.injection", injection)
    assert (event.user_id, event.actor, event.source) == (tom.pk, "tom", "POST /api/v1/funders/150202/injections/")


def test_the_audit_trail_is_append_only(people):
    Guarantor.objects.create(code="G5", name="担保五")
    event = AuditEvent.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor="someone else")
    if connection.vendor == "postgresql":  # SQLite keeps DELETE possible for Django's test flush
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor == ""


@pytest.mark.postgres
def test_postgres_a_rolled_back_actor_never_sticks(people):
    """The session setting made inside a transaction that rolls back is undone by PostgreSQL; the next write must
    not inherit a stale value from the wrapper's memory (riskfund/audit/db.py)."""
    ann, tom = people["ann"], people["tom"]
    with audit_actor(user=ann, source="outer"):
        Guarantor.objects.create(code="P1", name="一")
        with pytest.raises(RuntimeError), transaction.atomic():
            with audit_actor(user=tom, source="inner"):
                Guarantor.objects.create(code="P2", name="二")
            raise RuntimeError
        Guarantor.objects.filter(code="P1").update(name="一（改）")
        with transaction.atomic():
            Guarantor.objects.filter(code="P1").update(name="一（再改）")
            sid = transaction.savepoint()
            with audit_actor(user=tom, source="savepoint"):
                Guarantor.objects.filter(code="P1").update(name="一（回滚）")
            transaction.savepoint_rollback(sid)
            Guarantor.objects.filter(code="P1").update(name="一（三改）")
    rows = [(e.operation, e.new["name"] if e.new else None, e.actor, e.source) for e in events("parties.guarantor")]
    assert rows == [
        ("insert", "一", "ann", "outer"),
        ("update", "一（改）", "ann", "outer"),
        ("update", "一（再改）", "ann", "outer"),
        ("update", "一（三改）", "ann", "outer"),
    ]


def test_sqlite_triggers_are_dropped_for_migrations_and_restored_after(db):
    """SQLite rebuilds a table to alter it; the audit triggers are dropped before ``migrate`` and put back after."""
    from riskfund.audit.triggers import audit_install, audit_suspend_sqlite

    if connection.vendor != "sqlite":
        assert audit_suspend_sqlite() == 0  # PostgreSQL keeps its triggers through migrations
        return
    assert audit_suspend_sqlite() == 3 * len(audited_models()) + 1  # + the append-only guard
    assert len(tables_without_triggers()) == len(audited_models())
    Guarantor.objects.create(code="M1", name="迁移中")
    assert not AuditEvent.objects.filter(model="parties.guarantor").exists()
    assert audit_install()["created"] == 3 * len(audited_models()) + 1
    assert tables_without_triggers() == []
    Guarantor.objects.create(code="M2", name="迁移后")
    assert AuditEvent.objects.filter(model="parties.guarantor").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_actors_of_successive_transactions_on_one_connection():
    """As in production (autocommit between requests, one connection reused): each write names the actor of the
    code that ran it, across committed and rolled-back transactions."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    ann = User.objects.create_user(username="ann-tx", password=None)
    bob = User.objects.create_user(username="bob-tx", password=None)
    with audit_actor(user=ann, source="request 1"), transaction.atomic():
        Guarantor.objects.create(code="T1", name="一")
    with pytest.raises(RuntimeError), audit_actor(user=bob, source="request 2"), transaction.atomic():
        Guarantor.objects.filter(code="T1").update(name="回滚")
        raise RuntimeError
    with audit_actor(user=ann, source="request 1"), transaction.atomic():  # the session may still hold request 2's
        Guarantor.objects.filter(code="T1").update(name="二")
    with audit_actor(user=bob, source="request 3"):
        Guarantor.objects.filter(code="T1").update(name="三")  # autocommit
        with transaction.atomic():
            Guarantor.objects.filter(code="T1").update(name="四")
    Guarantor.objects.filter(code="T1").update(name="五")  # no request, no actor
    rows = [(e.new["name"], e.actor, e.source) for e in events("parties.guarantor")]
    assert rows == [
        ("一", "ann-tx", "request 1"),
        ("二", "ann-tx", "request 1"),
        ("三", "bob-tx", "request 3"),
        ("四", "bob-tx", "request 3"),
        ("五", "", rows[-1][2]),
    ]
