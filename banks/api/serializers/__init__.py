"""Input and output serializers of the bank endpoints (API.md "Bank endpoints"), one module per subject:
``loans`` (recommendations, registration, the loan), ``repayments`` (repayments and post-loan events), ``claims``
(compensation and recovery), ``deposit`` (the deposit and top-ups) and ``webhooks``.

Component names all start with ``Bank`` (unique in the OpenAPI document). The choice sets that appear under a
field name used with other sets elsewhere (``status``, ``kind``) are named in ``ENUM_NAME_OVERRIDES``
(``BankLoanStatusEnum``, ``BankLoanEventKindEnum``, ``BankCounterGuaranteeKindEnum``).
Amounts follow the API's conventions (``MoneyField``: decimal strings, at most two places in, exactly two out).
"""
