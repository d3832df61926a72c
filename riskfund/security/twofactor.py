"""Two-factor login for staff who run the money (等保 2.0 expects it of administrators; issue 12).

With ``RISKFUND_REQUIRE_2FA`` on (the default when ``DJANGO_DEBUG=0``), a bureau or trustee user (a superuser has
every role) who has logged in to the admin with a password reaches no admin page until a TOTP code has verified the
session (django-otp's ``user.is_verified()``): the first time it enrols an authenticator app on the page
``/admin/2fa/`` (QR code, key for typing, first code), afterwards it types the app's current code there. The admin's
login, logout, language switch and this page stay open. A lost phone: the bureau deletes the user's device in the
admin (两步验证设备), and the user enrols again at the next login. The auditor and district officers change no
money and log in with a password only.
"""

from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from riskfund.access import BUREAU, TRUSTEE, user_roles
from riskfund.security.lockout import is_admin_request

ROLES_WITH_TWO_FACTOR = frozenset({BUREAU, TRUSTEE})


def requires_two_factor(user) -> bool:
    return bool(
        settings.RISKFUND_REQUIRE_2FA
        and user.is_authenticated
        and user.is_staff
        and user_roles(user) & ROLES_WITH_TWO_FACTOR
    )


class StaffTwoFactorMiddleware:
    """Sends a bureau or trustee admin session that no code has verified to ``/admin/2fa/`` (after
    ``django_otp.middleware.OTPMiddleware``, which gives ``request.user.is_verified``)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if self._must_verify(request):
            return redirect(f"{reverse('two_factor')}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _must_verify(request) -> bool:
        if not is_admin_request(request):
            return False
        path = request.path
        if path in {reverse("two_factor"), reverse("admin:login"), reverse("admin:logout"), reverse("admin:jsi18n")}:
            return False
        user = request.user
        return requires_two_factor(user) and not user.is_verified()
