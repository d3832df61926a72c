"""Where a refusal points in the book: ``BLAME[kind]`` maps a service's field (a 400's field messages) or a rule's
code to the column of the fact's sheet that the error list names (riskfund/imports/replay.py); with neither, the
fact's date column."""

from __future__ import annotations

from riskfund.errors import RuleViolation

from .facts import Fact

# the column a refusal points at: a service field or a code → the row's field key (else the fact's date column)
BLAME: dict[str, dict[str, str]] = {
    "bank": {"code": "bank", "bank_code_taken": "bank", "import_bad_value": "bank_name", "validation_error": "bank"},
    "guarantor": {"code": "guarantor", "import_bad_value": "guarantor_name", "validation_error": "guarantor"},
    "agreement_sign": {
        "agreement_exists": "bank",
        "insufficient_pool_funds": "signed_on",
        "validation_error": "ends_on",
    },
    "injection": {"amount": "amount", "kind": "kind", "validation_error": "amount"},
    "interest": {"amount": "amount", "account": "account", "validation_error": "amount"},
    "topup_request": {"amount": "requested_amount", "topup_not_needed": "requested_amount"},
    "topup_approve": {"amount": "approved_amount", "approver_is_requester": "approved_on"},
    "enterprise": {
        "uscc": "uscc",
        "name": "name",
        "district": "district",
        "industry": "industry",
        "employees": "employees",
        "revenue": "revenue",
        "total_assets": "total_assets",
        "enterprise_not_eligible": "uscc",
    },
    "application": {
        "amount": "applied_amount",
        "term_months": "term_months",
        "application": "enterprise",
        "enterprise_not_eligible": "enterprise",
        "enterprise_dishonest": "enterprise",
        "enterprise_under_review": "enterprise",
    },
    "recommendation": {
        "amount": "amount",
        "form_no": "form_no",
        "application": "form_no",
        "import_bad_value": "form_no",
    },
    "dd_bank": {"opinion": "bank_opinion", "recommendation_not_usable": "form_no"},
    "dd_guarantor": {"opinion": "guarantor_opinion", "recommendation_not_usable": "form_no"},
    "loan": {
        "contract_no": "contract_no",
        "principal": "principal",
        "annual_rate": "annual_rate",
        "repayment_method": "repayment_method",
        "maturity_on": "maturity_on",
        "schedule": "repayment_method",
        "counter_guarantees": "contract_no",
        "agreement_not_active": "bank",
        "recommendation_not_usable": "form_no",
        "amount_exceeds_recommendation": "principal",
        "duplicate_contract_no": "contract_no",
        "term_too_long": "maturity_on",
        "counter_guarantee_required": "contract_no",
        "enterprise_not_eligible": "form_no",
        "enterprise_dishonest": "form_no",
        "enterprise_under_review": "form_no",
        "pool_capacity_exceeded": "principal",
        "district_scale_exceeded": "principal",
        "enterprise_limit_exceeded": "principal",
        "continuous_support_exceeded": "maturity_on",
    },
    "repayment": {"principal": "principal", "interest": "interest", "repayment_exceeds_outstanding": "principal"},
    "recovery": {
        "gross": "gross",
        "costs": "gross",
        "recovery_exceeds_loss": "gross",
        "costs_exceed_recovery": "gross",
    },
}


def blamed_field(fact: Fact, exc: RuleViolation) -> str:
    """The row's field a refusal points at."""
    blame = BLAME.get(fact.kind, {})
    errors = getattr(exc, "errors", None) or {}
    for name in errors:
        field = blame.get(name.split(".")[0])
        if field:
            return field
    if exc.code in blame:
        return blame[exc.code]
    if exc.code == "date_in_future" and "reported_on" in str(exc.message) and "reported_on" in fact.row.values:
        return "reported_on"
    return fact.date_field
