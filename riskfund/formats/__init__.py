"""Number and date formats for people (issue 13): amounts read ``1,234,567.89`` in Chinese as in English, dates
``2026-09-30``.

Django's zh_Hans formats group by four digits with no separator (``151571934.00``); with
``USE_THOUSAND_SEPARATOR`` on (settings), every decimal the admin shows — list columns, read-only fields,
inline rows — is grouped by three with a comma. Forms, the API and the workbooks are not localized.
"""
