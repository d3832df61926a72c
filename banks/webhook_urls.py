"""Where a bank's webhook may point (API.md "Webhooks to banks"), checked at registration and again at each
delivery (banks/webhooks.py).

HTTPS only. Plain http only to a loopback address (127.0.0.0/8, ::1, ``localhost``), and loopback at
all only when ``settings.DEBUG`` or ``settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is true
(development, tests). Private (10/8, 172.16/12, 192.168/16, fc00::/7, …), link-local (169.254/16,
fe80::/10), unspecified, multicast, reserved and other non-global addresses are refused. The policy is
checked at registration on the URL itself, and again at each delivery on every address the host
resolves to; the connection then goes to the checked address (the name is not resolved a second time),
so a DNS answer that changes between check and connect (DNS rebinding) cannot reach an internal host.
Redirects are not followed and no proxy is used.
"""

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from riskfund.errors import RuleViolation

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK", False))


@dataclass(frozen=True)
class WebhookTarget:
    scheme: str
    host: str
    port: int
    loopback: bool


def _refuse(url: str, reason: str) -> RuleViolation:
    return RuleViolation(
        "webhook_url_not_allowed", "", _("不允许的回调地址 %(url)s：%(reason)s") % {"url": url, "reason": reason}
    )


def _embedded_ipv4(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        return ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or ip
    return ip


def address_refusal(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why ``ip`` may not receive webhooks, or None when it may."""
    ip = _embedded_ipv4(ip)
    if ip.is_loopback:
        return None if allow_loopback else _("本机回环地址仅限开发和测试环境")
    if ip.is_unspecified:
        return _("未指定地址")
    if ip.is_link_local:
        return _("链路本地地址")
    if ip.is_multicast:
        return _("组播地址")
    if ip.is_private:
        return _("内网地址")
    if ip.is_reserved or not ip.is_global:
        return _("保留地址")
    return None


def _literal_address(host: str) -> IPAddress | None:
    """The address a host name denotes by itself: an IP literal, or a numeric form inet_aton accepts (0x7f.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def webhook_url_check(url: str) -> WebhookTarget:
    """Check ``url`` against the policy on its own (no DNS); raise ``RuleViolation`` if refused."""
    allow_loopback = loopback_allowed()
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise _refuse(url, _("格式错误")) from None
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"}:
        raise _refuse(url, _("必须使用 HTTPS"))
    if parts.username is not None or parts.password is not None:
        raise _refuse(url, _("不得包含用户名或密码"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refuse(url, _("缺少主机名"))
    literal = _literal_address(host)
    if literal is not None:
        reason = address_refusal(literal, allow_loopback=allow_loopback)
        if reason:
            raise _refuse(url, reason)
        loopback = _embedded_ipv4(literal).is_loopback
    else:
        try:
            host.encode("idna")
        except UnicodeError:
            raise _refuse(url, _("主机名无效")) from None
        loopback = host == "localhost" or host.endswith(".localhost")
        if loopback and not allow_loopback:
            raise _refuse(url, _("本机回环地址仅限开发和测试环境"))
    if scheme == "http" and not loopback:
        raise _refuse(url, _("必须使用 HTTPS"))
    return WebhookTarget(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), loopback=loopback)


def webhook_url_resolve(url: str) -> str:
    """Check ``url``, resolve its host and check every address; return the address to connect to."""
    target = webhook_url_check(url)
    allow_loopback = loopback_allowed()
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise _refuse(url, _("无法解析主机名（%(error)s）") % {"error": exc}) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        reason = address_refusal(ip, allow_loopback=allow_loopback)
        if reason is None and target.scheme == "http" and not _embedded_ipv4(ip).is_loopback:
            reason = _("必须使用 HTTPS")
        if reason:
            raise _refuse(url, f"{ip}: {reason}")
        addresses.append(str(ip))
    if not addresses:
        raise _refuse(url, _("无法解析主机名"))
    return addresses[0]
