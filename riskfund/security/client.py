"""The client address of a request, the same for DRF's throttles and the admin lockout (API.md Authentication).

``X-Forwarded-For`` is anyone's to write, so it counts only behind ``DJANGO_TRUSTED_PROXIES`` proxies of our own
(settings ``RISKFUND_TRUSTED_PROXIES``, default 0: the connecting address). Each trusted proxy appends the address it
saw, so the client is the N-th address from the right; a header shorter than that gives its left-most address, as
DRF's ``NUM_PROXIES`` (set to the same number) does for the login throttle.
"""

from django.conf import settings


def client_address(request) -> str:
    """The address the login throttle and the admin lockout count against (``REMOTE_ADDR`` without proxies)."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR", "")
    proxies = settings.RISKFUND_TRUSTED_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()
