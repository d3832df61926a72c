"""Failed logins in the admin (登录安全): django-axes' records, read by the bureau and the auditor; the bureau (a
superuser has every role) lifts a lock with the action 解除锁定 before its cool-off ends (riskfund/security/lockout.py).

Each is the package's own admin with unfold's rendering (riskfund/dashboard/admin_system.py does the same for the
other packages). axes registers no admin of its own here (``AXES_ENABLE_ADMIN = False``): these are its admins with
the roles' permissions (the auditor reads these records too, unlike the site's accounts, which are the bureau's).
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin

from riskfund.access import AUDITOR, BUREAU, user_roles

from .lockout import ADMIN_FAILURE_LIMIT, API_FAILURE_LIMIT

READERS = frozenset({BUREAU, AUDITOR})


class RoleReadMixin:
    """Readable by the bureau and the auditor; nobody adds or edits a record."""

    def _roles(self, request) -> set[str]:
        user = request.user
        return user_roles(user) if user.is_active and user.is_staff else set()

    def has_module_permission(self, request):
        return bool(self._roles(request) & READERS)

    def has_view_permission(self, request, obj=None):
        return bool(self._roles(request) & READERS)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class LoginFailureAdmin(RoleReadMixin, AccessAttemptAdmin, ModelAdmin):
    """Failed logins per user name and address, with the count that locks (登录失败记录)."""

    list_display = ["attempt_time", "username", "ip_address", "path_info", "failures_since_start", "lock_status"]
    fieldsets = (
        (None, {"fields": ("username", "path_info", "failures_since_start", "attempt_time")}),
        (_("Meta Data"), {"fields": ("user_agent", "ip_address", "http_accept")}),
    )
    actions = ["unlock"]

    @admin.display(description=_("状态"))
    def lock_status(self, obj: AccessAttempt) -> str:
        """Counted only within the cool-off (as axes counts); the limit is the admin's or the API's by the path."""
        if obj.attempt_time < timezone.now() - settings.AXES_COOLOFF_TIME:
            return _("已过冷却期")
        limit = ADMIN_FAILURE_LIMIT if obj.path_info.startswith(reverse("admin:index")) else API_FAILURE_LIMIT
        if obj.failures_since_start >= limit:
            return _("已锁定")
        return _("还可尝试 %(count)d 次") % {"count": limit - obj.failures_since_start}

    def has_unlock_permission(self, request) -> bool:
        return BUREAU in self._roles(request)

    def get_actions(self, request):
        # Django's own filtering by each action's permissions: the role mixin the dashboard puts into every admin
        # (riskfund/dashboard/roles.py) keeps actions only for those who may change the model, and nobody changes
        # these records; unlocking deletes them and is the bureau's (has_unlock_permission).
        return admin.ModelAdmin.get_actions(self, request)

    @admin.action(description=_("解除锁定"), permissions=["unlock"])
    def unlock(self, request, queryset):
        """Forget the selected failures: their user names and addresses may log in again at once."""
        count = queryset.count()
        queryset.delete()
        self.message_user(request, _("已解除 %(count)d 条登录失败记录的锁定。") % {"count": count}, messages.SUCCESS)


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(RoleReadMixin, AccessFailureLogAdmin, ModelAdmin):
    """Every failed login, kept after a lock is lifted (登录失败日志)."""


@admin.register(AccessLog)
class LoginLogAdmin(RoleReadMixin, AccessLogAdmin, ModelAdmin):
    """Every successful admin or API login and logout (登录日志)."""


# django-otp's own admin on unfold's base, as riskfund/dashboard/admin_system.py does for the other packages
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, type("TOTPDeviceAdmin", (TOTPDeviceAdmin, ModelAdmin), {"__module__": __name__}))
