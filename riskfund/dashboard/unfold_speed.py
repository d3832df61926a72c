"""Two speed fixes for the admin on django-unfold 0.91, neither changing a rendered page:

- its changelists' ``items_for_result`` rebuilds the whole header row (``result_headers``: every column's label,
  sort state and translations) for EVERY row, so a 50-row page computes the headers 51 times — about a third of the
  loan list's server time. The headers depend only on the changelist: they are computed once per changelist.
- the admin site's ``get_app_list`` (every model's four permission checks) runs for ``each_context`` and again for
  the index on every page, though unfold's sidebar (riskfund/dashboard/navigation.py) and our index use neither
  list twice: it is computed once per request.
"""

from unfold.templatetags import unfold_list

_ATTRIBUTE = "_riskfund_result_headers"


def install(site) -> None:
    _cache_app_list(site)
    original = unfold_list.result_headers
    if getattr(original, "riskfund_cached", False):
        return

    def result_headers(cl):
        headers = getattr(cl, _ATTRIBUTE, None)
        if headers is None:
            headers = list(original(cl))
            setattr(cl, _ATTRIBUTE, headers)
        yield from headers

    result_headers.riskfund_cached = True
    unfold_list.result_headers = result_headers


def _cache_app_list(site) -> None:
    original = site.get_app_list
    if getattr(original, "riskfund_cached", False):
        return

    def get_app_list(request, app_label=None):
        cache = request.__dict__.setdefault("_riskfund_app_lists", {})
        if app_label not in cache:
            cache[app_label] = original(request, app_label)
        return cache[app_label]

    get_app_list.riskfund_cached = True
    site.get_app_list = get_app_list
