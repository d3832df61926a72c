"""Writes of the lending app (ARCHITECTURE.md: keyword-only services named ``<entity>_<verb>``).

Each service opens one ``transaction.atomic()``; loan registration and repayments lock the ``PoolState`` row
first. Broken rules raise ``RuleViolation`` (422) with SPEC.md's code and the article; malformed input raises
``riskfund.lending.validation.InputError`` (a ``RuleViolation`` with code ``validation_error``, status 400 and
``errors`` = {field: [messages]}).
"""

from .enterprises import (
    eligibility_violation,
    enterprise_create,
    enterprise_extension_grant,
    enterprise_list_dishonest,
    enterprise_update,
)
from .listings import listing_decide, listing_propose
from .origination import loan_register
from .pipeline import application_create, application_withdraw, due_diligence_record, recommendation_issue
from .servicing import loan_event_record, repayment_post

__all__ = [
    "application_create",
    "application_withdraw",
    "due_diligence_record",
    "eligibility_violation",
    "enterprise_create",
    "enterprise_extension_grant",
    "enterprise_list_dishonest",
    "enterprise_update",
    "listing_decide",
    "listing_propose",
    "loan_event_record",
    "loan_register",
    "recommendation_issue",
    "repayment_post",
]
