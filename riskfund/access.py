"""Who may do what (SPEC §1): the one permission model the domain, the admin and the API all ask.

A role is a Django group named ``bureau`` (市工信局), ``trustee`` (受托管理机构), ``district`` (各地区中小企业管理部门)
or ``auditor``; a superuser has every role. Each group carries Django permissions (``sync_role_groups``, run by
the data migration ``parties.0002``, after every ``migrate`` and by ``manage.py bootstrap``), so ``user.has_perm``
answers what a role may do:

- model permissions (``<app>.<view|add|change|delete>_<model>`` and a model's own, e.g.
  ``policy.approve_policyversion``) say what a role may do with a model in the admin (``role_may``):

  - bureau: everything (admins that are read-only stay read-only: financial records are corrected by
    reversals); user accounts, groups, staff scopes, API tokens and bank keys are the bureau's alone;
  - trustee: sees every record of the programme, adds and changes the postings it keeps (injections, interest,
    deposit top-ups it executes, payables it settles; art. 10–12, 16, 32);
  - district officer: enterprises, applications, recommendations and loans of its own district (art. 7);
  - auditor: reads everything of the programme, and the audit trail, changes nothing;

- capabilities (``parties.<capability>``, permissions of the ``parties.Role`` proxy) name what a role may do
  through the API (API.md "who"), one per operation; ``riskfund.api.permissions.Can`` asks them.

A district officer (the ``district`` role and no wider one) sees only the district of its ``StaffProfile``;
one without a district sees none. Banks are not staff: a bank is identified on the request (``request_bank_id``).
"""

from django.apps import apps as global_apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

BUREAU = "bureau"
TRUSTEE = "trustee"
DISTRICT = "district"
AUDITOR = "auditor"
ALL_ROLES = frozenset({BUREAU, TRUSTEE, DISTRICT, AUDITOR})
WIDE_ROLES = frozenset({BUREAU, TRUSTEE, AUDITOR})
NO_DISTRICT = ""

_CACHE_ATTR = "_riskfund_roles"

# --- the roles of a user and the district it sees -----------------------------------------------------------


def user_roles(user) -> set[str]:
    """The staff roles of ``user``: none for anonymous or inactive users, all of them for a superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ALL_ROLES)
        else:
            cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return set(cached)


def is_district_only(user) -> bool:
    """A district officer with no wider role: every figure it sees is limited to its district."""
    roles = user_roles(user)
    return DISTRICT in roles and not roles & WIDE_ROLES


def user_district_code(user) -> str | None:
    """The district (funder code) on ``user``'s staff profile, None when it has none."""
    # a missing StaffProfile raises RelatedObjectDoesNotExist, an AttributeError: getattr's default applies
    profile = getattr(user, "staff_profile", None) if getattr(user, "is_authenticated", False) else None
    return profile.district_id if profile is not None else None


def visible_district(user) -> str | None:
    """``None`` when ``user`` sees every district, else the one division code it may see (``""``: none)."""
    if not is_district_only(user):
        return None
    return user_district_code(user) or NO_DISTRICT


def request_bank_id(request):
    """The id of the bank behind a request, or None for staff and anonymous requests: a bank authenticator sets
    ``request.bank`` or returns an ``auth`` object with a ``bank_id``."""
    bank = getattr(request, "bank", None)
    if bank is not None:
        return getattr(bank, "pk", bank)
    return getattr(getattr(request, "auth", None), "bank_id", None)


# --- model permissions (the admin) --------------------------------------------------------------------------

# What a non-bureau role may see: app labels whose every model is programme data.
PROGRAMME_APPS = frozenset(
    {
        "policy",
        "ledger",
        "parties",
        "pool",
        "lending",
        "claims",
        "cob",
        "outbox",
        "exports",
        "dashboard",
        "outlook",
        "banks",
        "approvals",
        "disclosure",
    }
)
# Programme models that are still the bureau's alone: bank API keys, staff scopes and the roles themselves.
BUREAU_ONLY = frozenset({"banks.bankapikey", "parties.staffprofile", "parties.role"})
# The audit trail and the annual bank report: the bureau and the auditor only (issue 6).
BUREAU_AUDITOR = frozenset({"audit.auditevent", "dashboard.bankperformancereport"})
# Models the trustee writes (art. 10–12, 16, 32).
TRUSTEE_WRITES = frozenset(
    {"pool.injection", "pool.interestcredit", "pool.deposittopup", "pool.depositadjustment", "claims.payable"}
)
# Lookup from each district-scoped model to the district (a ``parties.Funder``) it belongs to (art. 7).
DISTRICT_SCOPE = {
    "parties.enterprise": "district",
    "lending.application": "enterprise__district",
    "lending.recommendation": "application__enterprise__district",
    "lending.loan": "district",
    "lending.loanevent": "loan__district",
}
# A district officer imports its district's enterprises and applications (issue 17).
DISTRICT_IMPORTS = "imports.importrun"
# ... and reads its own district's monthly statement (API.md funder statements).
DISTRICT_READS = frozenset({*DISTRICT_SCOPE, DISTRICT_IMPORTS, "disclosure.funderstatementpage"})

# Admin actions limited to roles beyond "may change the model": "app_label.model_name" → {action: roles}.
ACTION_ROLES = {
    # art. 16: the bureau (专项工作协调办公室) approves; the trustee executes the approved amount.
    "pool.deposittopup": {"approve_selected": {BUREAU}, "execute_selected": {TRUSTEE, BUREAU}},
    # art. 16 "适时调整": the same split for the bureau's own adjustments
    "pool.depositadjustment": {"approve_selected": {BUREAU}, "execute_selected": {TRUSTEE, BUREAU}},
    # maker-checker (riskfund.approvals): the bureau decides; the trustee may ask for an injection's reversal
    "approvals.approvalrequest": {"approve_selected": {BUREAU}, "reject_selected": {BUREAU}},
    "pool.injection": {"request_reversal": {TRUSTEE, BUREAU}},
    "outlook.scenario": {"run_forecast": {BUREAU}},
}


def model_key(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def role_grants_model(role: str, key: str, action: str) -> bool:
    """Does ``role`` hold ``action`` (view / add / change / delete, or a model's own permission) on the model
    ``key`` ("app_label.model_name")?"""
    if role == BUREAU:
        return True
    app = key.split(".", 1)[0]
    if action == "view":
        if key in BUREAU_AUDITOR:
            return role == AUDITOR
        if role in {TRUSTEE, AUDITOR}:
            return app in PROGRAMME_APPS and key not in BUREAU_ONLY
        return role == DISTRICT and key in DISTRICT_READS
    if action == "add" and role == DISTRICT:
        return key == DISTRICT_IMPORTS
    if action in {"add", "change"}:
        return role == TRUSTEE and key in TRUSTEE_WRITES
    return False


def role_may(user, model, action: str) -> bool:
    """May ``user`` ``action`` (view / add / change / delete) objects of ``model`` in the admin? Django's own
    permission check, through the role groups (a superuser has every permission)."""
    if not (user.is_active and user.is_staff):
        return False
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def scope_queryset(user, model, queryset: QuerySet) -> QuerySet:
    """Limit a district officer to the rows of its own district; other roles see every row."""
    key = model_key(model)
    if key not in DISTRICT_SCOPE or not is_district_only(user):
        return queryset
    code = user_district_code(user)
    if code is None:
        return queryset.none()
    return queryset.filter(Q(**{f"{DISTRICT_SCOPE[key]}_id": code}))


# --- capabilities (the API) ---------------------------------------------------------------------------------

ALL_STAFF = ALL_ROLES
# codename → (name, roles); API.md "Staff endpoints", column "who"
CAPABILITIES: dict[str, tuple[str, frozenset[str]]] = {
    "view_pool_position": (_("查看资金池状况"), ALL_STAFF),
    "view_parties": (_("查看出资方、合作银行和担保机构"), ALL_STAFF),
    "view_deposits": (_("查看合作协议、抵押金补充和应付代偿款"), frozenset({BUREAU, TRUSTEE, AUDITOR})),
    "view_pipeline": (_("查看企业和贷款申请"), frozenset({BUREAU, DISTRICT, AUDITOR})),
    "view_cob": (_("查看日终处理"), frozenset({BUREAU, TRUSTEE, AUDITOR})),
    "view_ledger": (_("查看总账"), frozenset({BUREAU, TRUSTEE, AUDITOR})),
    "view_statements": (_("查看出资方月度报表（地区：本地区）"), ALL_STAFF),
    "view_outlook": (_("查看暂停线预测"), ALL_STAFF),
    "view_policy": (_("查看政策版本"), ALL_STAFF),
    "propose_policy": (_("提出政策版本"), frozenset({BUREAU})),
    "approve_policy": (_("批准政策版本"), frozenset({BUREAU})),
    "post_injection": (_("登记注资"), frozenset({TRUSTEE})),
    "post_interest": (_("登记利息"), frozenset({TRUSTEE})),
    "manage_banks": (_("新增合作银行、担保机构和合作协议"), frozenset({BUREAU})),
    "request_topup": (_("申请补充抵押金"), frozenset({BUREAU, TRUSTEE})),
    "approve_topup": (_("批准补充抵押金"), frozenset({BUREAU})),
    "execute_topup": (_("执行补充抵押金"), frozenset({TRUSTEE})),
    "settle_payable": (_("支付应付代偿款"), frozenset({TRUSTEE})),
    "adjust_deposit": (_("提出和批准抵押金调整"), frozenset({BUREAU})),
    "execute_deposit_adjustment": (_("执行抵押金调整"), frozenset({TRUSTEE})),
    "grant_extension": (_("延长连续支持期限"), frozenset({BUREAU})),
    "register_applications": (_("登记企业和贷款申请"), frozenset({BUREAU, DISTRICT})),
    "recommend": (_("出具推荐表"), frozenset({BUREAU})),
    "record_guarantor_opinion": (_("登记担保机构意见"), frozenset({BUREAU, TRUSTEE})),
    "view_dishonest_listings": (_("查看失信名单决定"), frozenset({BUREAU, AUDITOR})),
    "decide_dishonest_listing": (_("决定列入失信名单"), frozenset({BUREAU})),
    "run_cob": (_("运行日终处理"), frozenset({BUREAU, TRUSTEE})),
}
ROLE_MODEL = "parties.role"


def capability_roles(capability: str) -> frozenset[str]:
    """The roles that hold ``capability`` (KeyError for an unknown one, so a typo fails at import)."""
    return CAPABILITIES[capability][1]


def role_grants(role: str, app_label: str, model_name: str, codename: str) -> bool:
    """Does the group of ``role`` carry the permission ``app_label.codename`` of the model ``model_name``?"""
    key = f"{app_label}.{model_name}"
    if key == ROLE_MODEL and codename in CAPABILITIES:
        return role in capability_roles(codename)
    action, _sep, rest = codename.partition("_")
    if rest != model_name:
        action = codename  # a model's own permission (e.g. approve_policyversion): the bureau's
    return role_grants_model(role, key, action)


def sync_role_groups(apps=global_apps, using: str = "default") -> dict[str, int]:
    """Create the four role groups and give each exactly the permissions of its role; returns their counts.

    ``apps`` is the app registry (a migration's historical one, or the project's); every model's permissions are
    created first, so a group never misses the permissions of a model migrated after it."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:
            if apps is global_apps:
                continue  # an app without models
            app_config.models_module = True  # a migration's app stub: its models are there all the same
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rows = list(
        Permission.objects.using(using).values_list("pk", "content_type__app_label", "content_type__model", "codename")
    )
    counts = {}
    for role in sorted(ALL_ROLES):
        group, _created = Group.objects.using(using).get_or_create(name=role)
        wanted = [pk for pk, app_label, model, codename in rows if role_grants(role, app_label, model, codename)]
        group.permissions.set(wanted)
        counts[role] = len(wanted)
    return counts
