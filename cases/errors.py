"""Errors raised by case services. Every interface maps them the same way:
NotAllowed → 403, InvalidTransition → 409, CaseValidationError → 400 with field messages."""


class CaseError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(CaseError):
    """The user's role, or the four-eyes rule, does not allow this."""


class FourEyesViolation(NotAllowed):
    pass


class InvalidTransition(CaseError):
    """The action is not possible in the case's current state."""


class CaseValidationError(CaseError):
    def __init__(self, errors: dict[str, list[str] | str]):
        self.errors = {k: v if isinstance(v, list) else [v] for k, v in errors.items()}
        first = next(iter(self.errors.items()))
        super().__init__(f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0])
