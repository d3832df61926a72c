"""OpenAPI examples of the bank endpoints: one loan of 东河区 (150202) followed from recommendation to recovery.

Figures are consistent with each other: a 1,000,000.00 bullet loan, 400,000.00 repaid, compensated on the 40th
overdue day (loss 600,000.00 = pool 240,000.00 : bank 120,000.00 : guarantor 240,000.00; the pool's share
72,000.00 : 72,000.00 : 96,000.00), then 50,000.00 recovered less 2,000.00 of costs.
"""

from drf_spectacular.utils import OpenApiExample

RECOMMENDATION_ID = "6f1c2a4e-3b7d-4c1e-9a51-0d2f8e7b6a10"
LOAN_ID = "0b9e4d2c-7a61-4f3e-8d25-5c1a9e3f7b42"
ENTERPRISE = "91150202000000001X"

_recommendation = {
    "id": RECOMMENDATION_ID,
    "form_no": "ZBJ-2026-000123",
    "enterprise": ENTERPRISE,
    "enterprise_name": "包头示例机械有限公司",
    "guarantor": "BJDB",
    "amount": "1000000.00",
    "status": "issued",
    "issued_on": "2026-03-02",
}

RECOMMENDATION_PAGE = OpenApiExample(
    "recommendations",
    value={"count": 1, "next": None, "previous": None, "results": [_recommendation]},
    response_only=True,
)

DUE_DILIGENCE_REQUEST = OpenApiExample(
    "approve",
    value={"opinion": "approve", "reported_on": "2026-03-05", "notes": "经营正常，同意放款"},
    request_only=True,
)

RECOMMENDATION_APPROVED = OpenApiExample(
    "approved recommendation", value={**_recommendation, "status": "approved"}, response_only=True
)

LOAN_REGISTER_BULLET = OpenApiExample(
    "bullet loan",
    value={
        "recommendation": RECOMMENDATION_ID,
        "contract_no": "HT-2026-0042",
        "principal": "1000000",
        "disbursed_on": "2026-03-10",
        "maturity_on": "2027-03-10",
        "annual_rate": "3.45",
        "repayment_method": "bullet",
        "extended_term": False,
        "extended_reason": "",
        "extra_fees": "0.00",
        "counter_guarantees": [
            {"kind": "real_estate", "description": "厂房抵押（包房权证第123号）", "value": "1500000.00"}
        ],
    },
    request_only=True,
)

LOAN_REGISTER_INSTALMENTS = OpenApiExample(
    "instalment loan",
    value={
        "recommendation": RECOMMENDATION_ID,
        "contract_no": "HT-2026-0043",
        "principal": "1000000.00",
        "disbursed_on": "2026-03-10",
        "maturity_on": "2027-03-10",
        "annual_rate": "3.45",
        "repayment_method": "instalments",
        "schedule": [
            {"due_on": "2026-09-10", "principal": "400000.00"},
            {"due_on": "2027-03-10", "principal": "600000.00"},
        ],
        "extra_fees": "0.00",
    },
    request_only=True,
)

LOAN_REGISTERED = OpenApiExample(
    "registered loan",
    value={
        "id": LOAN_ID,
        "contract_no": "HT-2026-0042",
        "recommendation": RECOMMENDATION_ID,
        "enterprise": ENTERPRISE,
        "enterprise_name": "包头示例机械有限公司",
        "guarantor": "BJDB",
        "district": "150202",
        "policy_version": "2021",
        "principal": "1000000.00",
        "annual_rate": "3.4500",
        "disbursed_on": "2026-03-10",
        "maturity_on": "2027-03-10",
        "repayment_method": "bullet",
        "extended_term": False,
        "extended_reason": "",
        "status": "active",
        "closed_on": None,
        "notice_deadline": "2026-03-13",
        "notified_late": False,
        "backdated": False,
        "outstanding_principal": "1000000.00",
        "overdue_days": 0,
        "overdue_bucket": "current",
        "schedule": [{"due_on": "2027-03-10", "principal": "1000000.00", "paid_principal": "0.00"}],
        "repayments": [],
        "counter_guarantees": [
            {"kind": "real_estate", "description": "厂房抵押（包房权证第123号）", "value": "1500000.00"}
        ],
        "events": [],
    },
    response_only=True,
)

LOAN_PAGE = OpenApiExample(
    "loans",
    value={
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": LOAN_ID,
                "contract_no": "HT-2026-0042",
                "recommendation": RECOMMENDATION_ID,
                "form_no": "ZBJ-2026-000123",
                "enterprise": ENTERPRISE,
                "enterprise_name": "包头示例机械有限公司",
                "principal": "1000000.00",
                "outstanding_principal": "600000.00",
                "disbursed_on": "2026-03-10",
                "maturity_on": "2027-03-10",
                "repayment_method": "bullet",
                "status": "active",
                "overdue_days": 0,
            }
        ],
    },
    response_only=True,
)

REPAYMENT_REQUEST = OpenApiExample(
    "repayment", value={"paid_on": "2026-09-10", "principal": "400000", "interest": "17250.00"}, request_only=True
)

REPAYMENT_RESULT = OpenApiExample(
    "repayment recorded",
    value={
        "id": "8c3d1f0a-2b4e-4a6c-9e8f-1a2b3c4d5e6f",
        "loan": LOAN_ID,
        "paid_on": "2026-09-10",
        "principal": "400000.00",
        "interest": "17250.00",
        "outstanding_principal": "600000.00",
        "loan_status": "active",
        "backdated": False,
    },
    response_only=True,
)

EVENT_REQUEST = OpenApiExample(
    "risk warning",
    value={"kind": "risk_warning", "occurred_on": "2026-10-12", "notes": "主要客户回款延迟"},
    request_only=True,
)

COMPENSATION_REQUEST = OpenApiExample("deduction", value={"deducted_on": "2027-04-19"}, request_only=True)

_shares = {"pool": "240000.00", "bank": "120000.00", "guarantor": "240000.00"}
_split = {"region": "72000.00", "city": "72000.00", "district": "96000.00"}

COMPENSATION_RESULT = OpenApiExample(
    "compensation",
    value={
        "id": "3e5f7a9b-1c2d-4e6f-8a0b-2c4d6e8f0a1b",
        "loan": LOAN_ID,
        "deducted_on": "2027-04-19",
        "overdue_days": 40,
        "loss": "600000.00",
        "shares": _shares,
        "pool_split": _split,
        "from_deposit": "240000.00",
        "to_payable": "0.00",
        "notice_deadline": "2027-04-22",
        "notified_late": False,
        "backdated": False,
    },
    response_only=True,
)

RECOVERY_REQUEST = OpenApiExample(
    "recovery",
    value={
        "recovered_on": "2027-08-01",
        "gross": "50000",
        "costs": {"litigation": "1500.00", "enforcement": "500.00"},
    },
    request_only=True,
)

RECOVERY_RESULT = OpenApiExample(
    "recovery recorded",
    value={
        "id": "5a7b9c1d-3e4f-4a6b-8c0d-4e6f8a0b2c3d",
        "loan": LOAN_ID,
        "compensation": "3e5f7a9b-1c2d-4e6f-8a0b-2c4d6e8f0a1b",
        "recovered_on": "2027-08-01",
        "gross": "50000.00",
        "costs": {
            "litigation": "1500.00",
            "enforcement": "500.00",
            "appraisal": "0.00",
            "commission": "0.00",
            "other": "0.00",
        },
        "net": "48000.00",
        "cumulative_net": "48000.00",
        "shares": {"pool": "19200.00", "bank": "9600.00", "guarantor": "19200.00"},
        "pool_split": {"region": "5760.00", "city": "5760.00", "district": "7680.00"},
        "backdated": False,
    },
    response_only=True,
)

DEPOSIT = OpenApiExample(
    "deposit",
    value={
        "balance": "1000000.00",
        "outstanding_principal": "12500000.00",
        "topup_suggested": "250000.00",
        "movements": {
            "count": 1,
            "next": None,
            "previous": None,
            "results": [
                {
                    "transaction": "7d9e1f3a-5b6c-4d8e-9f0a-6b8c0d2e4f6a",
                    "business_date": "2024-01-03",
                    "kind": "deposit",
                    "description": "首笔风险补偿抵押金",
                    "change": "1000000.00",
                }
            ],
        },
    },
    response_only=True,
)

TOPUP_REQUEST = OpenApiExample(
    "top-up", value={"amount": "250000", "reason": "在贷余额超过抵押金10倍"}, request_only=True
)

TOPUP_RESULT = OpenApiExample(
    "top-up requested",
    value={
        "id": "9f1a3b5c-7d8e-4f0a-8b2c-8d0e2f4a6b8c",
        "amount": "250000.00",
        "reason": "在贷余额超过抵押金10倍",
        "requested_on": "2026-11-20",
        "status": "requested",
    },
    response_only=True,
)

WEBHOOK_REQUEST = OpenApiExample(
    "endpoint", value={"url": "https://core.bank.example.cn/riskfund/events"}, request_only=True
)
