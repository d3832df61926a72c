"""The public disclosure page (API.md "Public pages"): ``/public/`` (HTML) and ``/public/summary.json``.

No login. Chinese by default; English with ``?lang=en`` or an ``Accept-Language`` that prefers it. The figures are
those of ``riskfund.disclosure.public`` for the latest month-end snapshot, kept in the cache under the snapshot's
id and creation time (a re-run of that day's close replaces them) and sent with ``Cache-Control: public``. Both are
404 when ``RISKFUND_PUBLIC_PAGE`` is off. The page has no script at all (the CSP of the hardening issue applies).
"""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from .public import MIN_ENTERPRISES, latest_month_end_snapshot, public_summary

CACHE_SECONDS = 3600
BROWSER_CACHE_SECONDS = 300
LANGUAGES = {"en": "en", "zh": "zh-hans", "zh-hans": "zh-hans"}


def _enabled() -> None:
    if not getattr(settings, "RISKFUND_PUBLIC_PAGE", True):
        raise Http404("the public page is switched off")


def cached_summary() -> dict | None:
    snapshot = latest_month_end_snapshot()
    if snapshot is None:
        return None
    key = f"disclosure:public:{snapshot.pk}:{snapshot.created_at.timestamp()}"
    return cache.get_or_set(key, lambda: public_summary(snapshot), CACHE_SECONDS)


def _language(request) -> str:
    asked = request.GET.get("lang", "").strip().lower()
    return LANGUAGES.get(asked) or translation.get_language_from_request(request)


def _public(response, language: str):
    patch_cache_control(response, public=True, max_age=BROWSER_CACHE_SECONDS)
    patch_vary_headers(response, ["Accept-Language"])
    response["Content-Language"] = language
    return response


@require_safe
def public_page(request):
    _enabled()
    language = _language(request)
    with translation.override(language):
        context = {"summary": cached_summary(), "min_enterprises": MIN_ENTERPRISES, "english": language == "en"}
        response = render(request, "disclosure/public.html", context)
    return _public(response, language)


@require_safe
def public_summary_json(request):
    _enabled()
    summary = cached_summary() or {"as_of": None, "min_enterprises": MIN_ENTERPRISES}
    return _public(JsonResponse(summary, json_dumps_params={"ensure_ascii": False}), _language(request))
