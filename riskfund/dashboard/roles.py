"""Roles in the admin (SPEC §1): who may see and do what, by group membership.

A role is a Django group — ``bureau``, ``trustee``, ``district``, ``auditor`` (``riskfund.api.roles``); a
superuser has every role. The admin asks ``RoleAdminMixin`` instead of Django's per-model permissions:

- bureau (市工信局): everything the model admin itself allows (admins that are read-only stay read-only —
  financial records are corrected by reversals, never edited or deleted);
- trustee (受托管理机构): sees every record of the programme and adds / changes the postings it keeps
  (injections, interest, deposit top-ups it executes, payables it settles);
- district officer (各地区中小企业管理部门): only enterprises, applications, recommendations and loans of its
  own district (``StaffProfile.district``); an officer with no district sees none;
- auditor: reads everything of the programme, changes nothing, runs no action.

User accounts, groups, staff scopes, API tokens and bank keys are the bureau's alone. Admin actions run only for
a role listed in ``ACTION_ROLES`` (when the action is listed there) and only for a user who may change the model.

``install_role_admins`` gives every model admin registered on the site this behaviour: it puts
``RoleAdminMixin`` just above ``ModelAdmin`` in each admin's MRO, so each admin's own restrictions (read-only,
add-only) still apply on top of the role check. It runs once from ``DashboardConfig.ready``, after the admin
autodiscovery, so the admins of every app — including those written later — are covered.
"""

from django.contrib import admin
from django.db.models import Q, QuerySet

from riskfund.api.roles import AUDITOR, BUREAU, DISTRICT, TRUSTEE, user_roles

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
    }
)

# Programme models that are still the bureau's alone: bank API keys and staff scopes.
BUREAU_ONLY = frozenset({"banks.bankapikey", "parties.staffprofile"})

# Models the trustee writes (art. 10–12, 16, 32): "app_label.model_name".
TRUSTEE_WRITES = frozenset({"pool.injection", "pool.interestcredit", "pool.deposittopup", "claims.payable"})

# Lookup from each district-scoped model to the district (a ``parties.Funder``) it belongs to (art. 7).
DISTRICT_SCOPE = {
    "lending.enterprise": "district",
    "lending.application": "enterprise__district",
    "lending.recommendation": "application__enterprise__district",
    "lending.loan": "district",
    "lending.loanevent": "loan__district",
}

# Actions restricted to roles beyond "may change the model": "app_label.model_name" → {action: roles}.
ACTION_ROLES = {
    # art. 16: the bureau (专项工作协调办公室) approves; the trustee executes the approved amount.
    "pool.deposittopup": {"approve_selected": {BUREAU}, "execute_selected": {TRUSTEE, BUREAU}},
    # maker-checker (riskfund.approvals): the bureau decides; the trustee may ask for an injection's reversal
    "approvals.approvalrequest": {"approve_selected": {BUREAU}, "reject_selected": {BUREAU}},
    "pool.injection": {"request_reversal": {TRUSTEE, BUREAU}},
    "outlook.scenario": {"run_forecast": {BUREAU}},
}


def model_key(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def user_district_code(user) -> str | None:
    """The district (funder code) a district officer is limited to, None when it has no profile district."""
    # a missing StaffProfile raises RelatedObjectDoesNotExist, an AttributeError: getattr's default applies
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return profile.district_id if profile is not None else None


def is_district_only(user) -> bool:
    """A district officer with no wider role: every figure it sees is limited to its district."""
    roles = user_roles(user)
    return DISTRICT in roles and not roles & {BUREAU, TRUSTEE, AUDITOR}


def role_may(user, model, action: str) -> bool:
    """May ``user`` ``action`` (view / add / change / delete) objects of ``model`` in the admin?"""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    roles = user_roles(user)
    key = model_key(model)
    if BUREAU in roles:
        return True
    app = model._meta.app_label
    if action == "view":
        if roles & {TRUSTEE, AUDITOR} and app in PROGRAMME_APPS and key not in BUREAU_ONLY:
            return True
        return DISTRICT in roles and key in DISTRICT_SCOPE
    if action in {"add", "change"}:
        return TRUSTEE in roles and key in TRUSTEE_WRITES
    return False


def scope_queryset(user, model, queryset: QuerySet) -> QuerySet:
    """Limit a district officer to the rows of its own district; other roles see every row."""
    key = model_key(model)
    if key not in DISTRICT_SCOPE or not is_district_only(user):
        return queryset
    code = user_district_code(user)
    if code is None:
        return queryset.none()
    return queryset.filter(Q(**{f"{DISTRICT_SCOPE[key]}_id": code}))


class RoleAdminMixin:
    """Role-based permissions and district scoping for a ``ModelAdmin`` (see the module docstring)."""

    role_admin = True

    def has_module_permission(self, request):
        return any(role_may(request.user, self.model, action) for action in ("view", "add", "change"))

    def has_view_permission(self, request, obj=None):
        if role_may(request.user, self.model, "view"):
            return obj is None or self._in_scope(request, obj)
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return role_may(request.user, self.model, "add")

    def has_change_permission(self, request, obj=None):
        return role_may(request.user, self.model, "change") and (obj is None or self._in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        return role_may(request.user, self.model, "delete")

    def _in_scope(self, request, obj) -> bool:
        if model_key(self.model) not in DISTRICT_SCOPE or not is_district_only(request.user):
            return True
        return scope_queryset(request.user, self.model, self.model._default_manager.filter(pk=obj.pk)).exists()

    def get_queryset(self, request):
        return scope_queryset(request.user, self.model, super().get_queryset(request))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return {name: a for name, a in actions.items() if name == "delete_selected"}
        limits = ACTION_ROLES.get(model_key(self.model), {})
        roles = user_roles(request.user)
        return {name: a for name, a in actions.items() if name not in limits or roles & limits[name]}


class RoleInlineMixin:
    """An inline shows when its parent may be viewed and is written only by a role that may write its model."""

    role_admin = True

    def has_view_permission(self, request, obj=None):
        return role_may(request.user, self.parent_model, "view") or role_may(request.user, self.model, "view")

    def has_add_permission(self, request, obj=None):
        return role_may(request.user, self.model, "add")

    def has_change_permission(self, request, obj=None):
        return role_may(request.user, self.model, "change")

    def has_delete_permission(self, request, obj=None):
        return role_may(request.user, self.model, "delete")


def _subclass(cls: type, mixin: type, base: type) -> type:
    """``cls`` with ``mixin`` just above ``base`` in its MRO: the class's own overrides run first and reach the
    role check where ``base`` would have checked Django's model permissions."""
    if getattr(cls, "role_admin", False):
        return cls
    role_base = type(f"Role{base.__name__}", (mixin, base), {})
    return type(cls.__name__, (cls, role_base), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})


def _with_roles(model_admin: admin.ModelAdmin) -> None:
    model_admin.__class__ = _subclass(type(model_admin), RoleAdminMixin, admin.ModelAdmin)
    model_admin.inlines = [_subclass(inline, RoleInlineMixin, _inline_base(inline)) for inline in model_admin.inlines]


def _inline_base(inline: type) -> type:
    for base in (admin.TabularInline, admin.StackedInline):
        if issubclass(inline, base):
            return base
    return admin.options.InlineModelAdmin


def install_role_admins(site: admin.AdminSite | None = None) -> None:
    """Give every registered model admin the role checks (idempotent)."""
    for model_admin in (site or admin.site)._registry.values():
        _with_roles(model_admin)
