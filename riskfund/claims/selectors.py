"""Reads of the claims app shared by the API, the admin and the exports (SPEC §10, §11; API.md compensation,
recoveries, payables)."""

from django.db.models import QuerySet, Sum

from riskfund.money import ZERO

from .models import Compensation, Payable, Recovery


def compensation_detail(compensation: Compensation) -> dict:
    """One compensation as API.md's claim (``loss``, ``shares``, ``pool_split``, ``notified_late``) plus how it
    was funded (deposit / payable and whether the payable is settled) and what has been recovered so far
    (art. 34): the cumulative net and shares, and the loss still unrecovered."""
    recoveries = Recovery.objects.filter(compensation=compensation)
    totals = recoveries.aggregate(
        net=Sum("net"),
        pool=Sum("share_pool"),
        bank=Sum("share_bank"),
        guarantor=Sum("share_guarantor"),
        region=Sum("split_region"),
        city=Sum("split_city"),
        district=Sum("split_district"),
    )
    total = {key: value or ZERO for key, value in totals.items()}
    payable = Payable.objects.filter(compensation=compensation).first()
    return {
        "id": compensation.pk,
        "loan": compensation.loan_id,
        "bank": compensation.bank.code,
        "district": compensation.district_id,
        "deducted_on": compensation.deducted_on,
        "overdue_days": compensation.overdue_days,
        "loss": compensation.loss,
        "shares": compensation.shares,
        "pool_split": compensation.pool_split,
        "from_deposit": compensation.from_deposit,
        "to_payable": compensation.to_payable,
        "payable": payable,
        "payable_settled_on": payable.settled_on if payable else None,
        "notice_deadline": compensation.notice_deadline,
        "notified_late": compensation.notified_late,
        "recovered_net": total["net"],
        "recovered_shares": {"pool": total["pool"], "bank": total["bank"], "guarantor": total["guarantor"]},
        "recovered_pool_split": {"region": total["region"], "city": total["city"], "district": total["district"]},
        "unrecovered_loss": compensation.loss - total["net"],
        "recoveries": recoveries.count(),
    }


def recovery_list(loan) -> QuerySet[Recovery]:
    """The recoveries of a loan in the order they were made (art. 33–35)."""
    return Recovery.objects.filter(loan=loan).select_related("compensation").order_by("recovered_on", "created_at")


def payables_due(*, bank=None) -> QuerySet[Payable]:
    """Payables not yet settled by the trustee, oldest first (SPEC §4: shown as due until settled); one bank's
    when ``bank`` is given."""
    payables = Payable.objects.filter(settled_on__isnull=True).select_related("bank", "compensation__loan")
    if bank is not None:
        payables = payables.filter(bank=bank)
    return payables.order_by("due_since", "created_at")
