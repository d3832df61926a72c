"""Where webhooks may go (API.md): HTTPS to public addresses; http and loopback only in development and tests."""

import pytest

from banks.models import WebhookEndpoint
from banks.webhooks import webhook_endpoint_register, webhook_url_check
from riskfund.errors import RuleViolation


@pytest.mark.parametrize(
    "url",
    ["https://hooks.boc.example.cn/riskfund", "https://8.8.8.8/hook", "https://[2001:4860:4860::8888]:8443/hook"],
)
def test_https_to_public_hosts_is_allowed(url):
    assert webhook_url_check(url).scheme == "https"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://10.0.0.1/hook",
        "https://192.168.1.1/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fc00::1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://[::]/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://100.64.0.1/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[2002:a00:1::]/hook",
        "https://167772161/hook",
        "https://user:password@hooks.boc.example.cn/",
        "ftp://hooks.boc.example.cn/",
        "https:///nohost",
        "https://hooks.boc.example.cn:99999/",
    ],
)
def test_private_link_local_reserved_and_plain_http_addresses_are_refused(url, settings):
    settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK = True  # even then
    with pytest.raises(RuleViolation) as refused:
        webhook_url_check(url)
    assert refused.value.code == "webhook_url_not_allowed"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://127.5.5.5/hook",
        "http://[::1]:8000/hook",
        "http://localhost:8000/hook",
        "https://127.0.0.1/hook",
        "https://0x7f.1/hook",
    ],
)
def test_loopback_only_with_the_test_flag_or_debug(url, settings):
    settings.DEBUG = False
    settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(RuleViolation):
        webhook_url_check(url)
    settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    assert webhook_url_check(url).loopback
    settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    settings.DEBUG = True
    assert webhook_url_check(url).loopback


def test_registration_refuses_a_private_address_and_writes_nothing(make_bank):
    with pytest.raises(RuleViolation) as refused:
        webhook_endpoint_register(bank=make_bank("BOC"), url="https://10.0.0.1/hook")
    assert refused.value.code == "webhook_url_not_allowed"
    assert not WebhookEndpoint.objects.exists()


def test_registering_again_replaces_the_active_endpoint(make_bank):
    bank = make_bank("BOC")
    first, first_secret = webhook_endpoint_register(bank=bank, url="https://a.boc.example.cn/hook")
    second, second_secret = webhook_endpoint_register(bank=bank, url="https://b.boc.example.cn/hook")
    assert list(WebhookEndpoint.objects.filter(bank=bank, active=True)) == [second]
    first.refresh_from_db()
    assert not first.active
    assert first_secret != second_secret
