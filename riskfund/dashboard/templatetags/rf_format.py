"""Figures for people in the admin's templates (issue 13): ``{{ amount|money }}`` → ``1,234,567.89``,
``{{ amount|yuan }}`` → ``1,234,567.89 元`` (cards and headings), ``{{ ratio|percent }}`` → ``4.95 %``.

Amounts arrive as Decimal or as the decimal strings of the selectors; nothing here rounds an amount that has more
than two places except half up to the fen, as the ledger would.
"""

from django import template
from django.utils.translation import gettext as _

from riskfund.money import money_text, percent_text

register = template.Library()


@register.filter
def money(value) -> str:
    return money_text(value)


@register.filter
def yuan(value) -> str:
    return _("%(amount)s 元") % {"amount": money_text(value)}


@register.filter
def percent(value) -> str:
    return percent_text(value)
