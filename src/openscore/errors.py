"""openscore's error types.

Every failure a user can cause or meet (a missing repository, a gated one, an unreachable Hub, a bad folder) is an
:class:`OpenscoreError` with a one-line, human-readable message. The CLI prints that message and exits with the
error's ``exit_code``; library users catch the class they care about.
"""

from __future__ import annotations


class OpenscoreError(Exception):
    """Base class of every error openscore raises on purpose."""

    #: The CLI exit status for this error.
    exit_code: int = 3
    #: A short machine-readable kind, stable across versions (used in batch failure entries).
    kind: str = "error"

    def __init__(self, message: str, *, target: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.target = target

    def __str__(self) -> str:
        return self.message


class InvalidTargetError(OpenscoreError):
    """The target is neither an existing folder nor a valid Hub repository id."""

    exit_code = 2
    kind = "invalid-target"


class TargetNotFoundError(OpenscoreError):
    """The repository, revision or folder does not exist (or is private and the token cannot see it)."""

    kind = "not-found"


class RevisionNotFoundError(TargetNotFoundError):
    """The repository exists but the requested revision does not."""

    kind = "revision-not-found"


class HubUnavailableError(OpenscoreError):
    """The Hub could not be reached or kept failing (network error, timeout, 5xx, rate limit)."""

    kind = "unreachable"


class RateLimitedError(HubUnavailableError):
    """The Hub answered 429 Too Many Requests and kept doing so."""

    kind = "rate-limited"

    def __init__(self, message: str, *, target: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, target=target)
        self.retry_after = retry_after


class GatedRepoError(OpenscoreError):
    """The repository's files are gated and the current token has no access to them."""

    kind = "gated"


class MissingFileError(OpenscoreError):
    """A file the repository lists or links is not there."""

    kind = "missing-file"


class HubResponseError(OpenscoreError):
    """The Hub answered something openscore cannot use: malformed or oversized JSON, a field of the wrong type, an
    unsafe name or commit id, or a listing whose next page points to another host.

    ``field`` names the part of the answer that was wrong (e.g. ``"siblings.3.rfilename"``) when known.
    """

    kind = "bad-answer"

    def __init__(self, message: str, *, target: str | None = None, field: str | None = None) -> None:
        super().__init__(message, target=target)
        self.field = field


class InvalidTokenError(OpenscoreError):
    """The access token given cannot be sent as an HTTP header (whitespace, control or non-ASCII characters).

    The message never quotes the token.
    """

    exit_code = 2
    kind = "invalid-token"
