"""The admin's sidebar (django-unfold, ``UNFOLD["SIDEBAR"]["navigation"]`` in settings): the programme first, grouped
the way the bureau works, and the plumbing (accounts, API tokens, Celery schedules) last under "系统".

Each item is listed only when its model admin would let the user in (``has_module_permission``, i.e. the role checks of
riskfund/dashboard/roles.py), so the menu and the 403s never disagree. A registered model not named in ``GROUPS``
still shows, under "其他", so an admin added later is never unreachable from the menu.
"""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (title, [(model key, Material Symbols icon)]) in menu order; ("link", url name, title, icon) adds a plain page.
GROUPS = [
    (
        _("概览"),
        [
            ("link", "admin:index", _("仪表盘"), "dashboard"),
            ("dashboard.bankperformancereport", "leaderboard"),
            ("disclosure.funderstatementpage", "receipt_long"),
            ("outlook.scenario", "query_stats"),
            ("outlook.forecast", "trending_up"),
            ("outlook.backtest", "history"),
        ],
    ),
    (
        _("贷款业务"),
        [
            ("lending.loan", "request_quote"),
            ("parties.enterprise", "factory"),
            ("lending.application", "description"),
            ("lending.recommendation", "recommend"),
            ("lending.loanevent", "event_note"),
            ("parties.dishonestlisting", "gpp_bad"),
            ("cob.dailyloanstatus", "schedule"),
        ],
    ),
    (
        _("代偿与追偿"),
        [("claims.compensation", "gavel"), ("claims.payable", "payments"), ("claims.recovery", "undo")],
    ),
    (
        _("资金池"),
        [
            ("pool.poolstate", "savings"),
            ("pool.injection", "input"),
            ("pool.deposittopup", "add_card"),
            ("pool.interestcredit", "percent"),
            ("pool.poolstatechange", "swap_vert"),
            ("cob.poolsnapshot", "photo_camera"),
        ],
    ),
    (
        _("账务"),
        [("ledger.account", "account_balance_wallet"), ("ledger.transaction", "receipt")],
    ),
    (
        _("合作方与政策"),
        [
            ("parties.funder", "account_balance"),
            ("parties.bank", "apartment"),
            ("parties.agreement", "handshake"),
            ("parties.guarantor", "verified_user"),
            ("policy.policyversion", "policy"),
            ("policy.lprrate", "show_chart"),
            ("policy.workingdayoverride", "calendar_month"),
            ("policy.industrystandard", "rule"),
        ],
    ),
    (
        _("日常工作"),
        [
            ("approvals.approvalrequest", "approval"),
            ("exports.exportjob", "download"),
            ("imports.importrun", "upload_file"),
            ("cob.cobrun", "nightlight"),
            ("cob.cobflag", "flag"),
            ("cob.bucketchange", "stacked_bar_chart"),
            ("audit.auditevent", "manage_search"),
            # failed and successful logins (riskfund/security/admin.py): the bureau and the auditor, like the audit log
            ("axes.accessattempt", "lock_person"),
            ("axes.accessfailurelog", "no_accounts"),
            ("axes.accesslog", "login"),
        ],
    ),
    (
        _("银行对接"),
        [
            ("outbox.outboxevent", "outbox"),
            ("banks.webhookendpoint", "webhook"),
            ("banks.webhookdelivery", "send"),
            ("banks.bankapikey", "key"),
        ],
    ),
]

# Accounts and plumbing: the superuser's and, rarely, the bureau's; folded away at the bottom of the menu.
SYSTEM = [
    ("auth.user", "person"),
    ("auth.group", "group"),
    ("parties.staffprofile", "badge"),
    ("knox.authtoken", "token"),
    ("otp_totp.totpdevice", "phonelink_lock"),
    ("django_celery_beat.periodictask", "task"),
    ("django_celery_beat.intervalschedule", "timer"),
    ("django_celery_beat.crontabschedule", "update"),
    ("django_celery_beat.clockedschedule", "alarm"),
    ("django_celery_beat.solarschedule", "wb_sunny"),
]


def _registered() -> dict[str, admin.ModelAdmin]:
    return {f"{m._meta.app_label}.{m._meta.model_name}": ma for m, ma in admin.site._registry.items()}


def _model_item(request, key: str, icon: str, registry: dict) -> dict | None:
    model_admin = registry.get(key)
    if model_admin is None or not model_admin.has_module_permission(request):
        return None
    opts = model_admin.model._meta
    try:
        link = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return None
    return {"title": opts.verbose_name_plural, "icon": icon, "link": link}


def _items(request, entries, registry: dict) -> list[dict]:
    items = []
    for entry in entries:
        if entry[0] == "link":
            _, name, title, icon = entry
            items.append({"title": title, "icon": icon, "link": reverse(name)})
        elif item := _model_item(request, *entry, registry):
            items.append(item)
    return items


def sidebar(request) -> list[dict]:
    """The sidebar groups for this request, with only the items the user may open (empty groups are not shown)."""
    registry = _registered()
    named = {entry[0] for _title, entries in GROUPS for entry in entries} | {key for key, _icon in SYSTEM}
    groups = [{"title": title, "items": _items(request, entries, registry)} for title, entries in GROUPS]
    others = [(key, "folder") for key in sorted(registry) if key not in named]
    if others:
        groups.append({"title": _("其他"), "items": _items(request, others, registry)})
    groups.append(
        {"title": _("系统"), "collapsible": True, "separator": True, "items": _items(request, SYSTEM, registry)}
    )
    return groups
