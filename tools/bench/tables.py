"""The generated portfolio's tables (each model and the fields its generated rows give, in order: ``bulk.Table``) and
the form of its amounts (integer fens, written as exact two-place ``Decimal``)."""

from decimal import Decimal

from riskfund.claims.models import Compensation, Payable, Recovery
from riskfund.ledger.models import Entry, Transaction
from riskfund.lending.models import Application, Loan, Recommendation, Repayment, ScheduleLine
from riskfund.parties.models import DishonestListing, DishonestRecord, Enterprise

from .bulk import Table


def fen(amount: int) -> Decimal:
    """Integer fens as an exact two-place Decimal."""
    return Decimal(amount).scaleb(-2)


SHARES = ["share_pool", "share_bank", "share_guarantor", "split_region", "split_city", "split_district"]


class Tables:
    def __init__(self) -> None:
        self.enterprise = Table(
            Enterprise,
            [
                "id",
                "uscc",
                "name",
                "district",
                "industry",
                "employees",
                "revenue",
                "total_assets",
                "established_on",
                "size_class",
                "dishonest",
                "support_extension_until",
                "support_extension_reason",
                "created_at",
                "updated_at",
            ],
        )
        self.application = Table(
            Application,
            ["id", "enterprise", "amount", "term_months", "purpose", "status", "submitted_on", "created_at"],
        )
        self.recommendation = Table(
            Recommendation,
            ["id", "application", "form_no", "bank", "guarantor", "amount", "status", "issued_on", "created_at"],
        )
        self.loan = Table(
            Loan,
            [
                "id",
                "recommendation",
                "bank",
                "guarantor",
                "enterprise",
                "district",
                "policy_version",
                "contract_no",
                "principal",
                "disbursed_on",
                "maturity_on",
                "annual_rate",
                "lpr_rate",
                "repayment_method",
                "extended_term",
                "extended_reason",
                "status",
                "outstanding_principal",
                "closed_on",
                "notice_deadline",
                "notified_late",
                "registered_at",
            ],
        )
        self.schedule = Table(ScheduleLine, ["id", "loan", "due_on", "principal", "paid_principal"])
        self.repayment = Table(Repayment, ["id", "loan", "paid_on", "principal", "interest", "created_at"])
        self.transaction = Table(Transaction, ["id", "kind", "business_date", "posted_at", "description", "reference"])
        self.entry = Table(Entry, ["transaction", "account", "side", "amount"])
        self.compensation = Table(
            Compensation,
            [
                "id",
                "loan",
                "bank",
                "district",
                "policy_version",
                "deducted_on",
                "overdue_days",
                "loss",
                *SHARES,
                "from_deposit",
                "to_payable",
                "notice_deadline",
                "notified_late",
                "transaction",
                "created_at",
            ],
        )
        self.payable = Table(
            Payable, ["id", "compensation", "bank", "amount", "due_since", "settled_on", "transaction", "created_at"]
        )
        self.recovery = Table(
            Recovery,
            [
                "id",
                "loan",
                "compensation",
                "recovered_on",
                "gross",
                "cost_litigation",
                "net",
                "cumulative_net",
                *SHARES,
                "transaction",
                "created_at",
            ],
        )
        self.dishonest = Table(DishonestRecord, ["id", "enterprise", "action", "on", "cause", "reason", "created_at"])
        self.listing = Table(
            DishonestListing,
            ["id", "enterprise", "compensation", "status", "proposed_on", "decided_on", "reason", "created_at"],
        )

    def loan_book(self) -> list[Table]:
        """The tables a chunk of loans writes, in the order their rows are written (parents first)."""
        return [
            self.application,
            self.recommendation,
            self.loan,
            self.schedule,
            self.repayment,
            self.transaction,
            self.entry,
            self.compensation,
            self.payable,
            self.recovery,
            self.dishonest,
            self.listing,
        ]
