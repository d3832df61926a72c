"""Everything a forecast is computed from, gathered as of a business date, with the scenario applied, and its
JSON form stored on each ``Forecast`` so the figures can be recomputed from the row alone.

Estimation window: the ``ESTIMATION_MONTHS`` month-end intervals before the as-of date that the daily run's bucket
history covers (an interval starting before the first run would see every loan as current).
"""

from dataclasses import dataclass, fields
from datetime import date

import numpy as np

from riskfund.cob.models import CobRun
from riskfund.parties.models import Bank
from riskfund.policy.selectors import policy_for_pool

from .book import build_book, transition_counts
from .chain import Estimate, estimate, month_steps, recovery_curve, stressed
from .funds import FunderSet, funds_on
from .history import loan_history
from .projection import Book, Funds

HORIZON = 12
ESTIMATION_MONTHS = 24
DEFAULT_PATHS = 1000
DEFAULT_SEED = 20210430  # the 2021 measures' effective date; any fixed number would do
INTEGER_FIELDS = {"bank", "district", "band", "scheduled", "carried"}


@dataclass
class Inputs:
    as_of: date
    months: list[date]
    banks: list[str]
    funders: FunderSet
    policy: str
    counts: np.ndarray  # (B, 7, 7) observed transitions
    estimate: Estimate
    curve: np.ndarray  # r[a] as estimated
    book: Book
    funds: Funds


def estimation_dates(as_of: date, months: int = ESTIMATION_MONTHS) -> list[date]:
    dates = month_steps(as_of, range(-months, 1))
    first_run = CobRun.objects.order_by("business_date").values_list("business_date", flat=True).first()
    return [d for d in dates if first_run is not None and d >= first_run] or [as_of]


def gather(as_of: date, *, horizon: int = HORIZON) -> Inputs:
    """The model's inputs as of ``as_of`` (every record read as it stood then)."""
    policy = policy_for_pool(as_of)
    months = month_steps(as_of, range(horizon + 1))
    observed = estimation_dates(as_of)
    banks = list(Bank.objects.order_by("code").values_list("code", flat=True))
    funders = FunderSet.load()
    history = loan_history(as_of=as_of, since=observed[0])
    counts = transition_counts(history, [d.toordinal() for d in observed], len(banks))
    book, _keys = build_book(history, [d.toordinal() for d in months])
    funds, past = funds_on(as_of, months, policy, funders)
    curve = recovery_curve(past.losses, past.ages, past.recovery_ages, past.recovery_net, loss_of=past.recovery_of)
    return Inputs(
        as_of=as_of,
        months=months,
        banks=banks,
        funders=funders,
        policy=policy.code,
        counts=counts,
        estimate=estimate(counts),
        curve=curve,
        book=book,
        funds=funds,
    )


def effective_model(inputs: Inputs, parameters: dict) -> tuple[np.ndarray, np.ndarray]:
    """The matrices and the recovery curve of a scenario: banks set to another's rows first, then the roll
    multiplier on every bank, the recovery haircut on the curve (``riskfund.outlook.chain``)."""
    matrices = inputs.estimate.banks.copy()
    for override in parameters.get("bank_overrides", []):
        if override["bank"] in inputs.banks and override["like"] in inputs.banks:
            matrices[inputs.banks.index(override["bank"])] = inputs.estimate.banks[inputs.banks.index(override["like"])]
    matrices = stressed(matrices, float(parameters.get("roll_multiplier", "1")))
    curve = inputs.curve * (1 - float(parameters.get("recovery_haircut", "0")))
    return matrices, curve


def pack(array: np.ndarray) -> dict:
    """An array as JSON: its shape and its values in order (an empty book keeps its shape)."""
    return {"shape": list(array.shape), "values": array.ravel().tolist()}


def unpack(data: dict, dtype=np.float64) -> np.ndarray:
    return np.asarray(data["values"], dtype=dtype).reshape(data["shape"])


def _arrays(obj) -> dict:
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        out[f.name] = pack(value) if isinstance(value, np.ndarray) else value
    return out


def _from_arrays(cls, data: dict):
    values = {}
    for f in fields(cls):
        value = data[f.name]
        if isinstance(value, dict):
            value = unpack(value, np.int64 if f.name in INTEGER_FIELDS else np.float64)
        values[f.name] = value
    return cls(**values)


def to_json(inputs: Inputs, matrices: np.ndarray, curve: np.ndarray) -> dict:
    """The stored form: enough to recompute every figure (``from_json``) and to explain it."""
    return {
        "as_of": inputs.as_of.isoformat(),
        "months": [d.isoformat() for d in inputs.months],
        "banks": inputs.banks,
        "funders": {"codes": inputs.funders.codes, "names": inputs.funders.names, "tiers": inputs.funders.tiers},
        "policy": inputs.policy,
        "counts": pack(inputs.counts),
        "pool_matrix": pack(inputs.estimate.pool),
        "bank_matrices": pack(inputs.estimate.banks),
        "matrix": pack(matrices),
        "estimated_curve": pack(inputs.curve),
        "curve": pack(curve),
        "book": _arrays(inputs.book),
        "funds": _arrays(inputs.funds),
    }


@dataclass
class Stored:
    """A forecast's inputs read back from its JSON."""

    months: list[date]
    banks: list[str]
    codes: list[str]
    names: list[str]
    tiers: list[str]
    matrices: np.ndarray
    curve: np.ndarray
    book: Book
    funds: Funds


def from_json(data: dict) -> Stored:
    return Stored(
        months=[date.fromisoformat(d) for d in data["months"]],
        banks=data["banks"],
        codes=data["funders"]["codes"],
        names=data["funders"]["names"],
        tiers=data["funders"]["tiers"],
        matrices=unpack(data["matrix"]),
        curve=unpack(data["curve"]),
        book=_from_arrays(Book, data["book"]),
        funds=_from_arrays(Funds, data["funds"]),
    )
