"""Filters of the public page: amounts read ``1,234,567.89``, ratios ``3.79%``, a suppressed cell says why."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


def _percent(value) -> str:
    return f"{Decimal(value) * 100:.2f}%"


FORMATS = {"money": _money, "percent": _percent, "count": lambda v: f"{int(v):,}", "times": lambda v: f"{v}×"}


@register.filter
def money(value) -> str:
    return "—" if value is None else _money(value)


@register.filter
def percent(value) -> str:
    return "—" if value is None else _percent(value)


@register.filter
def figure(cell: dict, kind: str) -> str:
    """A cell of ``riskfund.disclosure.public``: formatted, or the notice that it is withheld."""
    if cell["suppressed"]:
        return _("不足3家企业，不予公布")
    return "—" if cell["value"] is None else FORMATS[kind](cell["value"])


@register.simple_tag
def show(cell: dict, kind: str) -> str:
    """``{% show cell "money" %}``: the figure, or the withheld notice in a ``suppressed`` span."""
    if cell["suppressed"]:
        return format_html('<span class="suppressed">{}</span>', figure(cell, kind))
    return figure(cell, kind)
