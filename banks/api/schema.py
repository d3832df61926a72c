"""OpenAPI for the bank endpoints: the shared ``AutoSchema`` (Idempotency-Key, problem+json answers), with the
``Api-Key`` scheme as the only security requirement, since only a bank key is let in (staff tokens get 403)."""

from riskfund.api.schema import AutoSchema

from ..auth import SCHEME


class BankAutoSchema(AutoSchema):
    def get_auth(self):
        return [requirement for requirement in super().get_auth() if SCHEME in requirement]

    def get_tags(self):
        return ["banks"]
