"""The book: the sheets of an existing programme's ledger, in dependency order, as the template lays them out.

Each ``BookSheet`` is one kind of record; each ``Field`` one column: its key (the field name printed under the
Chinese header, and the keyword the import passes on), its Chinese header, its kind (``xlsx.Column`` kinds),
whether it is required, its fixed values where it has some (a drop-down in the template; the Chinese label or
the code is accepted), an example value and the article it rests on. The reader, the template, the export and
the help sheet are all built from this one list, so they cannot disagree.

Natural keys (a row already in riskfund is named, never written twice): an injection's or an interest credit's
``reference``, an agreement's bank and signing date, a top-up's bank, request date and amount, an enterprise's
USCC, a recommendation's form number (an application without one: enterprise, date and amount), a loan's bank
and contract number (its schedule lines and counter-guarantees go with it), and for a loan's repayments, events
and recoveries the same date and amounts as a record already on that loan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation

from riskfund.exports.xlsx import Column, Kind

YES_NO = {"yes": "是", "no": "否"}


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    kind: Kind = "text"
    required: bool = True
    choices: Callable[[], dict[str, str]] | None = None
    example: object = None
    help: str = ""
    article: str = ""
    max_length: int = 200  # text only: the longest the record's field takes

    @property
    def column(self) -> Column:
        return Column(self.key, self.header, self.kind, blank=True)


@dataclass(frozen=True)
class BookSheet:
    kind: str
    title: str
    fields: tuple[Field, ...]
    help: str
    article: str
    keys: tuple[str, ...] = field(default=())

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def letter(self, key: str) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter([f.key for f in self.fields].index(key) + 1)


def _labels(choices) -> dict[str, str]:
    """A model's TextChoices as code → Chinese label, whatever language is active."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


def funder_choices() -> dict[str, str]:
    from riskfund.parties.models import Funder

    return dict(Funder.objects.order_by("code").values_list("code", "name"))


def district_choices() -> dict[str, str]:
    from riskfund.parties.models import Funder, FunderTier

    return dict(Funder.objects.filter(tier=FunderTier.DISTRICT).order_by("code").values_list("code", "name"))


def industry_choices() -> dict[str, str]:
    from riskfund.policy.models import IndustryStandard

    return dict(IndustryStandard.objects.order_by("code").values_list("code", "name_zh"))


def injection_kinds() -> dict[str, str]:
    from riskfund.pool.models import InjectionKind

    return _labels(InjectionKind)


def opinions() -> dict[str, str]:
    from riskfund.lending.models import Opinion

    return _labels(Opinion)


def repayment_methods() -> dict[str, str]:
    from riskfund.lending.models import RepaymentMethod

    return _labels(RepaymentMethod)


def guarantee_kinds() -> dict[str, str]:
    from riskfund.lending.models import CounterGuaranteeKind

    return _labels(CounterGuaranteeKind)


def event_kinds() -> dict[str, str]:
    from riskfund.lending.models import LoanEventKind

    return _labels(LoanEventKind)


def yes_no() -> dict[str, str]:
    return dict(YES_NO)
