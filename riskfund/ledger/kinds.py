"""A transaction's kind in words ("代偿", "冲正：注资"): the ledger browser, a transaction's name and the audit
trail read it from here, so no page shows the code the services post."""

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

# the kinds the services post (transaction_post(kind=…)); a reversal is "<kind>_reversal"
KIND_LABELS = {
    "injection": _("注资"),
    "replenishment": _("补充资金"),
    "interest": _("利息入账"),
    "deposit_initial": _("首笔风险补偿抵押金"),
    "deposit_topup": _("抵押金补充"),
    "deposit_return": _("抵押金退回"),
    "deposit_adjustment": _("抵押金调整"),
    "compensation": _("代偿"),
    "payable_settlement": _("支付应付代偿款"),
    "recovery": _("追偿"),
}
REVERSAL = "_reversal"


def kind_label(kind: str) -> str:
    if kind.endswith(REVERSAL):
        return _t("冲正：%(kind)s") % {"kind": kind_label(kind.removesuffix(REVERSAL))}
    return str(KIND_LABELS.get(kind, kind))
