from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class SecurityConfig(AppConfig):
    default = True
    name = "riskfund.security"
    label = "security"
    verbose_name = _("安全设置")


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese heading in the admin (its records are this project's failed logins)."""

    verbose_name = _("登录安全")


class TOTPConfig(TOTPAppConfig):
    """django-otp's TOTP devices under a Chinese heading: the bureau deletes a lost one there (twofactor.py)."""

    verbose_name = _("两步验证设备")
