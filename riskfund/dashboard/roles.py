"""Roles in the admin (SPEC §1): every model admin asks the one permission model (riskfund/access.py).

``RoleAdminMixin`` answers the admin's permission questions with ``access.role_may`` — Django's ``has_perm``
through the role groups — and limits a district officer to its district (``access.scope_queryset``). Admin actions
run only for a role listed in ``access.ACTION_ROLES`` (when the action is listed there) and only for a user who
may change the model.

``install_role_admins`` gives every model admin registered on the site this behaviour: it puts
``RoleAdminMixin`` just above ``ModelAdmin`` in each admin's MRO, so each admin's own restrictions (read-only,
add-only) still apply on top of the role check. It runs once from ``DashboardConfig.ready``, after the admin
autodiscovery, so the admins of every app — including those written later — are covered.
"""

from django.contrib import admin

from riskfund.access import (
    ACTION_ROLES,
    DISTRICT_SCOPE,
    is_district_only,
    model_key,
    role_may,
    scope_queryset,
    user_roles,
)


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
