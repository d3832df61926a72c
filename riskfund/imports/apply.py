"""Each fact through the service the API and the admin use — the import implements no rule of its own.

``APPLY[kind](fact, ctx)`` calls one service with the row's values and the objects the fact needs, and returns
what it made (kept under the fact's key for the facts that need it). The column a refusal points at is
``blame.BLAME[kind]``.

Whose name goes on the records: the importing staff user (``ctx.user``), or none for a bank's key or the
command line. Dates the services take as "today" — a bank's notice of a loan (art. 27) or of a compensation
(art. 32) — come from the row's 报送日期 when it has one, so a notice given in time years ago is not flagged late
today; a blank means the notice is the import itself. A historic top-up request carries no requester (it was
made on paper), and its approval is recorded under the importing user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from riskfund.claims.services import compensation_claim, payable_settle, recovery_post
from riskfund.dates import not_in_future
from riskfund.errors import RuleViolation
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
from riskfund.parties.models import Agreement, Funder
from riskfund.parties.services import agreement_end, bank_create, guarantor_create
from riskfund.pool.agreements import agreement_sign, deposit_return
from riskfund.pool.services import injection_post, interest_post, topup_approve, topup_execute, topup_request

from .facts import Fact

COSTS = ("litigation", "enforcement", "appraisal", "commission", "other")


@dataclass
class Context:
    objects: dict[tuple, Any]
    today: date
    user: Any = None

    def get(self, key: tuple) -> Any:
        return self.objects[key]


def _notice_date(fact: Fact, ctx: Context) -> date:
    """The day the bank gave its written notice (the row's 报送日期), never after today."""
    reported = fact.row["reported_on"]
    if reported is None:
        return ctx.today
    return not_in_future(reported, "reported_on", ctx.today)


def _bank(fact: Fact, ctx: Context):
    name = fact.parts.get("name")
    if not name:
        raise RuleViolation("import_bad_value", "", "新银行须填写银行名称 / a new bank needs its name", status=400)
    return bank_create(code=fact.row["bank"], name=name)


def _guarantor(fact: Fact, ctx: Context):
    name = fact.parts.get("name")
    if not name:
        raise RuleViolation("import_bad_value", "", "新担保机构须填写名称 / a new guarantor needs its name", status=400)
    return guarantor_create(code=fact.row["guarantor"], name=name)


def _agreement_sign(fact: Fact, ctx: Context):
    row = fact.row
    return agreement_sign(
        bank=ctx.get(("bank", row["bank"])),
        guarantor=ctx.get(("guarantor", row["guarantor"])),
        signed_on=row["signed_on"],
        ends_on=row["ends_on"],
        user=ctx.user,
    )


def _agreement(fact: Fact, ctx: Context) -> Agreement:
    return ctx.get(fact.needs[0][0])  # the services lock and read it afresh


def _agreement_end(fact: Fact, ctx: Context):
    return agreement_end(agreement=_agreement(fact, ctx), ended_on=fact.row["ended_on"], user=ctx.user)


def _deposit_return(fact: Fact, ctx: Context):
    return deposit_return(agreement=_agreement(fact, ctx), returned_on=fact.row["returned_on"], user=ctx.user)


def _injection(fact: Fact, ctx: Context):
    row = fact.row
    funder = ctx.objects.get(("funder", row["funder"])) or Funder.objects.get(code=row["funder"])
    ctx.objects[("funder", row["funder"])] = funder
    return injection_post(
        funder=funder,
        paid_on=row["paid_on"],
        amount=row["amount"],
        kind=row["kind"],
        reference=row["reference"],
        user=ctx.user,
    )


def _interest(fact: Fact, ctx: Context):
    row = fact.row
    return interest_post(
        credited_on=row["credited_on"],
        amount=row["amount"],
        account=row["account"],
        reference=row["reference"],
        user=ctx.user,
    )


def _topup_request(fact: Fact, ctx: Context):
    row = fact.row
    return topup_request(
        bank=ctx.get(("bank", row["bank"])),
        amount=row["requested_amount"],
        reason=row["reason"] or "",
        requested_on=row["requested_on"],
    )


def _topup_approve(fact: Fact, ctx: Context):
    row = fact.row
    topup = ctx.get(fact.needs[0][0])  # the service locks and reads it afresh
    amount = row["approved_amount"] if row["approved_amount"] is not None else row["requested_amount"]
    return topup_approve(topup=topup, amount=amount, approved_on=row["approved_on"], user=ctx.user)


def _topup_execute(fact: Fact, ctx: Context):
    topup = ctx.get(fact.needs[0][0])
    return topup_execute(topup=topup, executed_on=fact.row["executed_on"], user=ctx.user)


def _enterprise(fact: Fact, ctx: Context):
    row = fact.row
    return enterprise_create(
        uscc=row["uscc"],
        name=row["name"],
        district_code=row["district"],
        industry=row["industry"],
        employees=row["employees"],
        revenue=row["revenue"],
        total_assets=row["total_assets"],
        established_on=row["established_on"],
        user=ctx.user,
    )


def _application(fact: Fact, ctx: Context):
    row = fact.row
    return application_create(
        enterprise=ctx.get(("enterprise", row["enterprise"])),
        amount=row["applied_amount"],
        term_months=row["term_months"],
        purpose=row["purpose"] or "",
        submitted_on=row["submitted_on"],
        user=ctx.user,
    )


def _recommendation(fact: Fact, ctx: Context):
    row = fact.row
    missing = [key for key in ("issued_on", "bank", "guarantor", "amount") if row[key] is None]
    if missing:
        raise RuleViolation(
            "import_bad_value",
            "art. 25",
            f"推荐表须填写 {', '.join(missing)} / a recommendation needs {missing}",
            status=400,
        )
    return recommendation_issue(
        application=ctx.get(fact.needs[0][0]),
        bank=ctx.get(("bank", row["bank"])),
        guarantor=ctx.get(("guarantor", row["guarantor"])),
        amount=row["amount"],
        issued_on=row["issued_on"],
        user=ctx.user,
        form_no=row["form_no"],
    )


def _due_diligence(party: str) -> Callable[[Fact, Context], Any]:
    def apply(fact: Fact, ctx: Context):
        row = fact.row
        if row[f"{party}_reported_on"] is None:
            raise RuleViolation(
                "import_bad_value", "art. 26", "尽调意见须填写日期 / an opinion needs its date", status=400
            )
        return due_diligence_record(
            recommendation=ctx.get(fact.needs[0][0]),
            party=party,
            opinion=row[f"{party}_opinion"],
            reported_on=row[f"{party}_reported_on"],
            notes=row["notes"] or "",
            today=ctx.today,
            user=ctx.user,
        )

    return apply


def _loan(fact: Fact, ctx: Context):
    row = fact.row
    schedule = [(line["due_on"], line["principal"]) for line in fact.parts.get("schedule", [])]
    guarantees = [
        {"kind": line["kind"], "description": line["description"] or "", "value": line["value"]}
        for line in fact.parts.get("counter_guarantee", [])
    ]
    return loan_register(
        bank=ctx.get(("bank", row["bank"])),
        recommendation=ctx.get(("recommendation", row["form_no"])),
        contract_no=row["contract_no"],
        principal=row["principal"],
        disbursed_on=row["disbursed_on"],
        maturity_on=row["maturity_on"],
        annual_rate=row["annual_rate"],
        repayment_method=row["repayment_method"],
        schedule=schedule or None,
        extended_term=row["extended_term"] == "yes",
        extended_reason=row["extended_reason"] or "",
        counter_guarantees=guarantees,
        today=_notice_date(fact, ctx),
    )


def _loan_of(fact: Fact, ctx: Context) -> Loan:
    return ctx.get(fact.loan)  # each service locks the loan and reads it afresh


def _repayment(fact: Fact, ctx: Context):
    row = fact.row
    return repayment_post(
        loan=_loan_of(fact, ctx),
        paid_on=row["paid_on"],
        principal=row["principal"],
        interest=row["interest"],
        today=ctx.today,
    )


def _event(fact: Fact, ctx: Context):
    row = fact.row
    return loan_event_record(
        loan=_loan_of(fact, ctx),
        kind=row["kind"],
        occurred_on=row["occurred_on"],
        notes=row["notes"] or "",
        today=ctx.today,
    )


def _compensation(fact: Fact, ctx: Context):
    return compensation_claim(
        loan=_loan_of(fact, ctx), deducted_on=fact.row["deducted_on"], today=_notice_date(fact, ctx), user=ctx.user
    )


def _payable_settle(fact: Fact, ctx: Context):
    compensation = ctx.get(fact.needs[0][0])
    payable = getattr(compensation, "payable", None)
    if payable is None:
        raise RuleViolation(
            "import_bad_value",
            "art. 32",
            "抵押金足额扣划，没有应付款 / the deposit covered it: nothing is owed",
            status=400,
        )
    return payable_settle(payable=payable, settled_on=fact.row["settled_on"], today=ctx.today, user=ctx.user)


def _recovery(fact: Fact, ctx: Context):
    row = fact.row
    costs = {kind: row[kind] for kind in COSTS if row[kind] is not None}
    return recovery_post(
        loan=_loan_of(fact, ctx),
        recovered_on=row["recovered_on"],
        gross=row["gross"],
        costs=costs,
        today=ctx.today,
        user=ctx.user,
    )


APPLY: dict[str, Callable[[Fact, Context], Any]] = {
    "bank": _bank,
    "guarantor": _guarantor,
    "agreement_sign": _agreement_sign,
    "agreement_end": _agreement_end,
    "deposit_return": _deposit_return,
    "injection": _injection,
    "interest": _interest,
    "topup_request": _topup_request,
    "topup_approve": _topup_approve,
    "topup_execute": _topup_execute,
    "enterprise": _enterprise,
    "application": _application,
    "recommendation": _recommendation,
    "dd_bank": _due_diligence("bank"),
    "dd_guarantor": _due_diligence("guarantor"),
    "loan": _loan,
    "repayment": _repayment,
    "event": _event,
    "compensation": _compensation,
    "payable_settle": _payable_settle,
    "recovery": _recovery,
}
