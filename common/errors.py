"""The errors every service raises. Each interface maps them once, the same way:
NotAllowed → 403, InvalidTransition → 409, ServiceValidationError → 400 with field messages,
NotFound → 404, Unavailable → 503 (see `common.api.exception_handler` and
`common.web.error_text`)."""


class ServiceError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ServiceError):
    """The user's role, or the four-eyes rule, does not allow this."""


class FourEyesViolation(NotAllowed):
    pass


class InvalidTransition(ServiceError):
    """The action is not possible in the object's current state."""


class StaleVersion(InvalidTransition):
    """Someone saved the object after the version the change was based on (optimistic
    concurrency): nothing was saved. `current` is the object as it is now stored."""

    def __init__(self, message: str, current):
        super().__init__(message)
        self.current = current


class NotFound(ServiceError):
    """The object (or its stored file) does not exist, or the user may not know it exists."""


class Unavailable(ServiceError):
    """A service the request needs (the file storage) cannot be reached; nothing was changed."""


class ServiceValidationError(ServiceError):
    """Bad input: messages per field ("__all__" for the request as a whole)."""

    def __init__(self, errors: dict[str, list[str] | str]):
        self.errors = {k: v if isinstance(v, list) else [v] for k, v in errors.items()}
        first = next(iter(self.errors.items()))
        super().__init__(f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0])

    @property
    def text(self) -> str:
        """Every message, for a one-line notice."""
        return " ".join(message for messages in self.errors.values() for message in messages)


def error_text(exc: ServiceError) -> str:
    """What a person reads about a service error: every message for bad input."""
    return exc.text if isinstance(exc, ServiceValidationError) else exc.message
