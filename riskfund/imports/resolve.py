"""What the book refers to, what riskfund already has, and what the importer may write.

``resolve`` loads, a few queries per kind of key, the objects the facts need that the file does not make (a
bank, an enterprise, a recommendation, a loan already in riskfund) and the objects the facts would make that
riskfund already has (the natural keys of ``book``): such a fact is ``existing`` — named, never written twice;
when its figures differ from riskfund's the row is ``import_existing_differs`` and nothing is overwritten. A
repayment, event or recovery on a loan already in riskfund is already there when a record of that loan has the
same date and amounts (each record answers one row). A reference found nowhere is
``import_unknown_reference``. The importer's ``Scope`` is checked row by row (``import_not_permitted``).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from riskfund.claims.models import Compensation, Recovery
from riskfund.lending.models import Application, DueDiligence, Loan, LoanEvent, Recommendation, Repayment
from riskfund.parties.models import Agreement, Bank, Enterprise, Guarantor
from riskfund.pool.models import DepositTopUp, Injection, InterestCredit, TopUpStatus

from .facts import Fact, Plan, describe_key
from .problems import problem

DISTRICT_SHEETS = frozenset({"enterprise", "recommendation"})
BANK_SHEETS = frozenset({"repayment", "event"})


@dataclass(frozen=True)
class Scope:
    """What an importer may write: every row (bureau, trustee, the command line), a district officer's
    enterprises and applications of its district (``district``), or a bank's repayments and events of its own
    loans (``bank``)."""

    district: str | None = None
    bank: Bank | None = None

    def sheets(self) -> frozenset[str] | None:
        if self.bank is not None:
            return BANK_SHEETS
        if self.district is not None:
            return DISTRICT_SHEETS
        return None


def resolve(plan: Plan, *, scope: Scope) -> dict[tuple, Any]:
    """Mark facts existing or failed, record the problems, and return the objects riskfund already has by key."""
    wanted = {key for fact in plan.facts for key, _ in fact.needs if key not in plan.made_by}
    wanted |= {fact.creates for fact in plan.facts if fact.creates is not None}
    objects = _load(wanted, scope)
    refused_rows: set[tuple[str, int]] = set()
    for fact in plan.facts:
        reason = _not_permitted(fact, scope, objects, plan)
        if reason is not None:
            fact.status = "failed"
            place = (fact.row.sheet.title, fact.row.row)
            if place not in refused_rows:
                refused_rows.add(place)
                zh, en, field = reason
                plan.problems.append(_problem(fact, field, "import_not_permitted", zh, en))
            continue
        for key, field in fact.needs:
            if key not in plan.made_by and key not in objects and key[0] not in ("dd_bank", "dd_guarantor"):
                fact.status = "failed"
                zh = f"找不到 {describe_key(key)}"
                if scope.bank is not None and key[0] == "loan":
                    zh += "（本行的贷款中没有）"
                plan.problems.append(
                    _problem(fact, field, "import_unknown_reference", zh, f"{describe_key(key)} not found")
                )
                break
        if fact.status == "new" and fact.creates is not None and fact.creates in objects:
            fact.status = "existing"
            differs = _differs(fact, objects[fact.creates])
            if differs:
                fact.status = "failed"
                plan.problems.append(_problem(fact, differs[0], "import_existing_differs", differs[1], differs[2]))
    _existing_children(plan, objects)
    return objects


def _problem(fact: Fact, field: str, code: str, zh: str, en: str):
    row = fact.row
    return problem(sheet=row.sheet.title, row=row.row, column=row.letter(field), field=field, code=code, zh=zh, en=en)


def _not_permitted(fact: Fact, scope: Scope, objects: dict, plan: Plan) -> tuple[str, str, str] | None:
    kind = fact.row.sheet.kind
    allowed = scope.sheets()
    if allowed is not None and kind not in allowed:
        return ("本角色不能导入此表", f"this role may not import sheet {fact.row.sheet.title}", "")
    if scope.bank is not None and fact.row["bank"] != scope.bank.code:
        return ("只能导入本行贷款的记录", "a bank imports its own loans only", "bank")
    if scope.district is None:
        return None
    if kind == "enterprise":
        district = fact.row["district"]
    else:
        if fact.row["form_no"] is not None:
            return (
                "地区管理部门只能导入申请，推荐表由市工信局出具",
                "a district office imports applications only",
                "form_no",
            )
        made = plan.made_by.get(("enterprise", fact.row["enterprise"]))
        known = objects.get(("enterprise", fact.row["enterprise"]))
        district = made.row["district"] if made is not None else getattr(known, "district_id", None)
    if district is not None and district != scope.district:
        field = "district" if kind == "enterprise" else "enterprise"
        return ("不属于本地区", f"not in district {scope.district}", field)
    return None


def _differs(fact: Fact, obj: Any) -> tuple[str, str, str] | None:
    """The first figure of the row that is not what riskfund has for the same key (field, zh, en)."""
    row = fact.row
    checks: list[tuple[str, Any, Any]] = []
    if fact.kind == "injection":
        checks = [("funder", row["funder"], obj.funder_id), ("paid_on", row["paid_on"], obj.paid_on)]
        checks.append(("amount", row["amount"], obj.amount))
    elif fact.kind == "interest":
        checks = [("credited_on", row["credited_on"], obj.credited_on), ("amount", row["amount"], obj.amount)]
    elif fact.kind == "loan":
        checks = [
            ("principal", row["principal"], obj.principal),
            ("disbursed_on", row["disbursed_on"], obj.disbursed_on),
        ]
        checks.append(("maturity_on", row["maturity_on"], obj.maturity_on))
    elif fact.kind == "recommendation":
        checks = [
            ("enterprise", row["enterprise"], obj.application.enterprise.uscc),
            ("amount", row["amount"], obj.amount),
        ]
        checks.append(("bank", row["bank"], obj.bank.code))
    elif fact.kind == "compensation":
        checks = [("deducted_on", row["deducted_on"], obj.deducted_on)]
    for field, mine, theirs in checks:
        if mine != theirs:
            return (field, f"风险池中为 {theirs}，本文件为 {mine}", f"riskfund has {theirs}, the file {mine}")
    return None


def _existing_children(plan: Plan, objects: dict) -> None:
    """Facts without a key of their own, on an object riskfund already has: there when riskfund has them."""
    counters: dict[tuple, Counter] = {}
    loans = {key: obj for key, obj in objects.items() if key[0] == "loan"}
    if loans:
        counters = _loan_records(loans)
    for fact in plan.facts:
        if fact.status != "new":
            continue
        target = fact.needs[0][0] if fact.needs else None
        obj = objects.get(target) if target is not None else None
        if obj is None:
            continue
        if fact.kind in ("repayment", "event", "recovery"):
            signature = _signature(fact)
            if counters.get(fact.loan, Counter())[signature] > 0:
                counters[fact.loan][signature] -= 1
                fact.status = "existing"
        elif _already_done(fact.kind, obj):
            fact.status = "existing"


def _already_done(kind: str, obj: Any) -> bool:
    """A later step of something riskfund has (an agreement's end, a deposit's return, a top-up's execution, a
    payable's settlement, a line of a loan), already recorded there."""
    if kind in ("schedule_line", "counter_guarantee_line"):
        return True
    if kind == "agreement_end":
        return obj.ended_on is not None
    if kind == "deposit_return":
        return obj.deposit_returned_on is not None
    if kind == "topup_execute":
        return obj.status == TopUpStatus.EXECUTED
    if kind == "payable_settle":
        return not _payable_open(obj)
    return False


def _payable_open(compensation: Compensation) -> bool:
    payable = getattr(compensation, "payable", None)
    return payable is not None and payable.settled_on is None


def _signature(fact: Fact) -> tuple:
    row = fact.row
    if fact.kind == "repayment":
        return ("repayment", row["paid_on"], row["principal"], row["interest"])
    if fact.kind == "event":
        return ("event", row["kind"], row["occurred_on"])
    return ("recovery", row["recovered_on"], row["gross"])


def _loan_records(loans: dict[tuple, Loan]) -> dict[tuple, Counter]:
    by_id = {loan.pk: key for key, loan in loans.items()}
    counters: dict[tuple, Counter] = defaultdict(Counter)
    for loan_id, *sig in Repayment.objects.filter(loan_id__in=by_id).values_list(
        "loan_id", "paid_on", "principal", "interest"
    ):
        counters[by_id[loan_id]][("repayment", *sig)] += 1
    for loan_id, *sig in LoanEvent.objects.filter(loan_id__in=by_id).values_list("loan_id", "kind", "occurred_on"):
        counters[by_id[loan_id]][("event", *sig)] += 1
    for loan_id, *sig in Recovery.objects.filter(loan_id__in=by_id).values_list("loan_id", "recovered_on", "gross"):
        counters[by_id[loan_id]][("recovery", *sig)] += 1
    return counters


def _load(keys: set[tuple], scope: Scope) -> dict[tuple, Any]:
    """Riskfund's objects for ``keys``, a query or two per kind of key."""
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for key in keys:
        if None not in key:
            by_kind[key[0]].append(key)
    found: dict[tuple, Any] = {}
    codes = {k[1] for k in by_kind["bank"]}
    for bank in Bank.objects.filter(code__in=codes):
        found[("bank", bank.code)] = bank
    for guarantor in Guarantor.objects.filter(code__in={k[1] for k in by_kind["guarantor"]}):
        found[("guarantor", guarantor.code)] = guarantor
    if by_kind["agreement"]:
        for agreement in Agreement.objects.filter(bank__code__in={k[1] for k in by_kind["agreement"]}).select_related(
            "bank"
        ):
            found[("agreement", agreement.bank.code, agreement.signed_on)] = agreement
    for enterprise in Enterprise.objects.filter(uscc__in={k[1] for k in by_kind["enterprise"]}):
        found[("enterprise", enterprise.uscc)] = enterprise
    _load_pipeline(by_kind, found)
    _load_loans(by_kind, found, scope)
    for model, kind in ((Injection, "injection"), (InterestCredit, "interest")):
        # a record without a reference of its own is exported with its id as reference (``export``)
        references = {k[1] for k in by_kind[kind]}
        for record in model.objects.filter(Q(reference__in=references) | Q(pk__in=_uuids(references))):
            found[(kind, record.reference if record.reference in references else str(record.pk))] = record
    if by_kind["topup"]:
        for topup in DepositTopUp.objects.filter(bank__code__in={k[1] for k in by_kind["topup"]}).select_related(
            "bank"
        ):
            key = ("topup", topup.bank.code, topup.requested_on, topup.requested_amount)
            found[key] = topup
            if topup.status in (TopUpStatus.APPROVED, TopUpStatus.EXECUTED):
                found[(*key, "approved")] = topup
    return found


def _uuids(texts: set[str]) -> list[uuid.UUID]:
    found = []
    for text in texts:
        try:
            found.append(uuid.UUID(str(text)))
        except ValueError:
            continue
    return found


def _load_pipeline(by_kind: dict[str, list[tuple]], found: dict[tuple, Any]) -> None:
    forms = {k[1] for k in by_kind["recommendation"]} | {k[2] for k in by_kind["application"] if k[1] == "form"}
    forms |= {k[1] for k in by_kind["dd_bank"] + by_kind["dd_guarantor"]}
    for rec in Recommendation.objects.filter(form_no__in=forms).select_related("application__enterprise", "bank"):
        found[("recommendation", rec.form_no)] = rec
        found[("application", "form", rec.form_no)] = rec.application
    for form_no, party in DueDiligence.objects.filter(recommendation__form_no__in=forms).values_list(
        "recommendation__form_no", "party"
    ):
        found[(f"dd_{party}", form_no)] = found.get(("recommendation", form_no))
    loose = [k for k in by_kind["application"] if k[1] != "form"]
    if loose:
        applications = Application.objects.filter(enterprise__uscc__in={k[1] for k in loose}).select_related(
            "enterprise"
        )
        for application in applications:
            found.setdefault(
                ("application", application.enterprise.uscc, application.submitted_on, application.amount), application
            )


def _load_loans(by_kind: dict[str, list[tuple]], found: dict[tuple, Any], scope: Scope) -> None:
    wanted = {(k[1], k[2]) for k in by_kind["loan"]} | {(k[1], k[2]) for k in by_kind["compensation"]}
    if not wanted:
        return
    loans = Loan.objects.filter(contract_no__in={c for _, c in wanted}, bank__code__in={b for b, _ in wanted})
    if scope.bank is not None:
        loans = loans.filter(bank=scope.bank)  # a bank sees its own loans only: another's is "not found"
    for loan in loans.select_related("bank"):
        if (loan.bank.code, loan.contract_no) in wanted:
            found[("loan", loan.bank.code, loan.contract_no)] = loan
    compensated = Compensation.objects.filter(loan__in=[v for k, v in found.items() if k[0] == "loan"])
    for compensation in compensated.select_related("loan__bank", "payable"):
        found[("compensation", compensation.loan.bank.code, compensation.loan.contract_no)] = compensation
