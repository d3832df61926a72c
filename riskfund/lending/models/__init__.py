"""The lending app's models: the pipeline from application to recommendation and due diligence
(``pipeline.py``, art. 24–26) and the loans with their schedule, counter-guarantees, repayments and post-loan
events (``loans.py``, art. 22, 27–31). Import them from here. The borrowers (``Enterprise``) and the dishonest
list are the parties app's."""

from .loans import (
    CounterGuarantee,
    CounterGuaranteeKind,
    Loan,
    LoanEvent,
    LoanEventKind,
    LoanStatus,
    Repayment,
    RepaymentMethod,
    ScheduleLine,
)
from .pipeline import (
    Application,
    ApplicationStatus,
    DueDiligence,
    DueDiligenceParty,
    FormNumberSequence,
    Opinion,
    PipelineEvent,
    PipelineStep,
    Recommendation,
    RecommendationStatus,
)

__all__ = [
    "Application",
    "ApplicationStatus",
    "CounterGuarantee",
    "CounterGuaranteeKind",
    "DueDiligence",
    "DueDiligenceParty",
    "FormNumberSequence",
    "Loan",
    "LoanEvent",
    "LoanEventKind",
    "LoanStatus",
    "Opinion",
    "PipelineEvent",
    "PipelineStep",
    "Recommendation",
    "RecommendationStatus",
    "Repayment",
    "RepaymentMethod",
    "ScheduleLine",
]
