"""The audit trail in the admin (审计日志): read-only, for the bureau and the auditor, filterable by data type,
object, operation, user and time; the detail page shows each changed column before and after."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from riskfund.audit.admin import stored_object_id
from riskfund.audit.context import audit_actor
from riskfund.audit.models import AuditEvent
from riskfund.parties.models import Funder, Guarantor
from riskfund.pool.seed import seed_pool
from riskfund.pool.services import injection_post

D = Decimal
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)

CHANGELIST = "admin:audit_auditevent_changelist"


@pytest.fixture
def history(people):
    with audit_actor(user=people["ann"], source="test"):
        guarantor = Guarantor.objects.create(code="GA", name="担保甲")
        Guarantor.objects.filter(pk=guarantor.pk).update(name="担保甲（更名）")
        Guarantor.objects.create(code="GB", name="担保乙")
    return guarantor


@pytest.mark.parametrize(("user", "status"), [("ann", 200), ("amy", 200), ("tom", 403), ("dan", 403)])
def test_the_audit_trail_is_for_the_bureau_and_the_auditor(client, people, history, user, status):
    client.force_login(people[user])
    assert client.get(reverse(CHANGELIST)).status_code == status
    event = AuditEvent.objects.filter(model="parties.guarantor").first()
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == status
    # nobody adds, edits or deletes audit rows
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_filter_by_model_and_object_and_read_the_changes(client, people, history):
    client.force_login(people["amy"])
    object_id = stored_object_id(history)
    page = client.get(reverse(CHANGELIST), {"model": "parties.guarantor", "object_id": object_id})
    assert page.status_code == 200
    listed = list(page.context["cl"].result_list)
    assert [e.operation for e in listed] == ["update", "insert"]  # newest first
    assert {e.object_id for e in listed} == {object_id}
    assert "合作担保机构" in page.content.decode()
    by_user = client.get(reverse(CHANGELIST), {"user__id__exact": people["ann"].pk, "operation__exact": "insert"})
    assert {e.object_id for e in by_user.context["cl"].result_list} >= {object_id}
    detail = client.get(reverse("admin:audit_auditevent_change", args=[listed[0].pk])).content.decode()
    assert "名称（name）" in detail and "担保甲" in detail and "担保甲（更名）" in detail and "ann" in detail


def test_the_change_table_names_references_choices_money_and_flags_for_people(client, people, policy_2021):
    """An injection's insert row holds a funder id, a transaction UUID, a kind code, an amount and a flag: the detail
    page shows the funder and the transaction by name, the kind by its label, the amount grouped, the flag in words."""
    seed_pool()
    with audit_actor(user=people["ann"]):
        injection = injection_post(
            funder=Funder.objects.get(code="150202"), paid_on=date(2025, 1, 6), amount=D("8000000")
        )
    event = AuditEvent.objects.get(model="pool.injection", object_id=stored_object_id(injection))
    client.force_login(people["amy"])
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode()
    table = detail[detail.index('class="rf-audit-changes"') :]
    table = table[: table.index("</table>")]
    assert "东河区" in table and "8,000,000.00" in table and "注资" in table and "否" in table
    assert str(injection.transaction) in table
    assert not UUID.search(table.replace(stored_object_id(injection), "")), UUID.search(table).group(0)
