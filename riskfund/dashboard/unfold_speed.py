"""Speed fixes for the admin on django-unfold 0.91, none changing a rendered page:

- its changelists' ``items_for_result`` rebuilds the whole header row (``result_headers``: every column's label,
  sort state and translations) for EVERY row, so a 50-row page computes the headers 51 times — about a third of the
  loan list's server time. The headers depend only on the changelist: they are computed once per changelist, each
  label translated once (it is a lazy string, and every cell of its column repeats it in ``data-label``).
- the admin site's ``get_app_list`` (every registered model's permission checks and URLs) runs for ``each_context``
  and again for the index on every page, though unfold's sidebar (riskfund/dashboard/navigation.py) and our index
  show neither: the whole list is computed once per request, and only when a template reads it.
- unfold's changelist templates read ``cl.model_admin.list_sections`` twice per row; a model admin without it
  makes Django's template engine call ``dir()`` on the admin for every miss. An empty default answers at once.
"""

from django.utils.functional import SimpleLazyObject
from unfold.admin import ModelAdmin
from unfold.templatetags import unfold_list

_ATTRIBUTE = "_riskfund_result_headers"


def install(site) -> None:
    _cache_app_list(site)
    if not hasattr(ModelAdmin, "list_sections"):
        ModelAdmin.list_sections = ()
    original = unfold_list.result_headers
    if getattr(original, "riskfund_cached", False):
        return

    def result_headers(cl):
        headers = getattr(cl, _ATTRIBUTE, None)
        if headers is None:
            headers = [{**header, "text": str(header["text"])} for header in original(cl)]
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
            if app_label is None:
                cache[None] = SimpleLazyObject(lambda: original(request))
            else:
                cache[app_label] = original(request, app_label)
        return cache[app_label]

    get_app_list.riskfund_cached = True
    site.get_app_list = get_app_list
