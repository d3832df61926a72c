"""The login lockout (django-axes, issue 12 finding 5): how many failures lock, and what a locked client is told.

Failures are counted by user name (from any address) and by client address (for any user name), in the database
(``axes.AccessAttempt``), so every process sees them. The admin login locks after ``ADMIN_FAILURE_LIMIT``
failures. The API token login is throttled to 10 attempts a minute per address already (API.md Authentication); it
locks after ``API_FAILURE_LIMIT``, which stops a slow guessing of one account from many addresses without changing
the throttle's answers. A lock lasts ``AXES_COOLOFF_TIME``; the bureau lifts it earlier in the admin (登录安全 →
登录失败记录, action 解除锁定).
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

ADMIN_FAILURE_LIMIT = 5
API_FAILURE_LIMIT = 20


def admin_prefix() -> str | None:
    """The admin's URL prefix, or None under a URLconf that has no admin (the API-only URLconfs of some tests)."""
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


def is_admin_request(request) -> bool:
    prefix = admin_prefix()
    return prefix is not None and request.path.startswith(prefix)


def failure_limit(request, credentials) -> int:
    """``AXES_FAILURE_LIMIT``: 5 on the admin login, 20 on the API token login."""
    return ADMIN_FAILURE_LIMIT if is_admin_request(request) else API_FAILURE_LIMIT


def lockout_response(request, original_response, credentials):
    """``AXES_LOCKOUT_CALLABLE``: the API login has answered 429 problem+json itself
    (``riskfund.api.serializers.LoginSerializer``); the admin shows the lockout page, also 429."""
    if not is_admin_request(request) and original_response is not None:
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {**admin.site.each_context(request), "cooloff_minutes": minutes}
    return render(request, "security/locked_out.html", context, status=429)
