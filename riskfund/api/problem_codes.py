"""Every stable ``code`` a problem+json answer can carry (API.md Conventions): the closed set the OpenAPI document
lists as the ``ProblemCode`` enum, so a generated client can switch on it.

A code raised anywhere under ``riskfund/`` or ``banks/`` must be listed here (tests/api/test_api_contract_items.py
reads the sources); a new one is a change of the contract, to be added here and to docs/api-clients.md.
"""

# the API's own answers (riskfund/api/problems.py, idempotency.py, parsers.py)
PROTOCOL = (
    "validation_error",
    "not_authenticated",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "content_too_large",
    "throttled",
    "idempotency_key_required",
    "idempotency_key_reused",
    "idempotency_in_progress",
    "server_error",
)

# SPEC.md and API.md: the rules of the regulation, by section
SPEC = (
    # §8 origination, in the order of SPEC §8
    "date_in_future",
    "agreement_not_active",
    "recommendation_not_usable",
    "amount_exceeds_recommendation",
    "duplicate_contract_no",
    "fees_not_allowed",
    "term_too_long",
    "counter_guarantee_required",
    "enterprise_not_eligible",
    "enterprise_dishonest",
    "enterprise_under_review",
    "no_policy_in_force",
    "pool_suspended",
    "pool_capacity_exceeded",
    "district_scale_exceeded",
    "enterprise_limit_exceeded",
    "continuous_support_exceeded",
    # §7 deposits, §9 servicing, §10 compensation, §11 recovery
    "deposit_below_cover",
    "date_before_disbursement",
    "repayment_exceeds_outstanding",
    "compensation_not_due",
    "collection_not_attempted",
    "loan_compensated",
    "recovery_exceeds_loss",
    "costs_exceed_recovery",
    # maker-checker and policy versions (API.md)
    "approver_is_maker",
    "approver_is_requester",
    "policy_overlap",
)

# an uploaded workbook refused (riskfund/exports/upload.py): 400, or 413 for the size
UPLOAD = (
    "upload_not_xlsx",
    "upload_too_large",
    "upload_unsafe_xml",
    "upload_too_many_rows",
    "upload_missing_sheet",
    "upload_missing_column",
    "upload_duplicate_column",
    "upload_bad_cell",
)

# the services' further rules (state of an object, parties, the ledger, imports and exports)
SERVICES = (
    "adjustment_not_approved",
    "adjustment_not_proposed",
    "agreement_exists",
    "agreement_not_ending",
    "approval_already_pending",
    "approval_not_pending",
    "approver_not_authorised",
    "bank_code_taken",
    "cob_date_before_last_run",
    "commitment_below_minimum",
    "commitment_not_district",
    "enterprise_not_dishonest",
    "export_kind_unknown",
    "export_not_for_banks",
    "guarantor_code_taken",
    "import_bad_value",
    "import_not_valid",
    "injection_already_reversed",
    "insufficient_deposit",
    "insufficient_pool_funds",
    "ledger_already_reversed",
    "ledger_negative_amount",
    "ledger_reversal_of_reversal",
    "ledger_unbalanced",
    "ledger_unknown_account",
    "listing_not_pending",
    "loan_not_compensated",
    "loans_active",
    "payable_settled",
    "policy_approved",
    "policy_weights_not_monotone",
    "reduced_standard_reason_required",
    "repayment_after_deduction",
    "topup_already_pending",
    "topup_not_approved",
    "topup_not_needed",
    "topup_not_pending",
    "webhook_url_not_allowed",
)

PROBLEM_CODES = tuple(dict.fromkeys(PROTOCOL + SPEC + UPLOAD + SERVICES))
