"""``/admin/2fa/``: enrol an authenticator app, or type its code (riskfund/security/twofactor.py)."""

from base64 import b32encode

import segno
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import TokenForm

DEVICE_NAME = "authenticator"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _device(user) -> tuple[TOTPDevice, bool]:
    """The user's confirmed device (``True``), or its device being enrolled, made on first visit (``False``)."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return confirmed, True
    pending, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": DEVICE_NAME})
    return pending, False


def _base32_key(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@staff_member_required
def two_factor(request):
    device, enrolled = _device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if not enrolled:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("验证码不正确或已过期，请输入应用中当前显示的验证码。"))
    context = {
        **admin.site.each_context(request),
        "title": _("两步验证") if enrolled else _("启用两步验证"),
        "form": form,
        "enrolled": enrolled,
        "next": _next_url(request),
    }
    if not enrolled:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("两步验证二维码"))
        context["key"] = _base32_key(device)
    return render(request, "security/two_factor.html", context)
