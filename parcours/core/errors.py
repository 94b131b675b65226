"""The domain error every app raises: the rule it enforces, the field, a French message.

Pages show it on the field; the API answers 409/422 with `rule`, `field` and `message`.
"""


class DomainError(Exception):
    def __init__(self, message: str, *, rule: str = "", field: str = ""):
        self.message = message
        self.rule = rule
        self.field = field
        super().__init__(message)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "field": self.field, "message": self.message}
