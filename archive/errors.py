"""What can go wrong, as exceptions that carry their HTTP status.

The write path, the store and the views raise these; one handler (`views.errors.handle_exception`)
turns any of them into the one JSON error shape or the error page, so no view catches one just to
call `abort()`; the command line prints the message of those it expects as its one-line error.
Nothing here knows Flask.
"""
from __future__ import annotations

from .messages import N_, Text


class ArchiveError(Exception):
    """An error a user can be told about; `status` is its HTTP status."""

    status = 500
    default_message = N_("Something went wrong.")

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        """The message as given (a `messages.Text` keeps what a page needs to translate it)."""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


class BadRequest(ArchiveError, ValueError):
    """The request itself is wrong (a page number that is not a number, an expired form)."""
    status = 400


class ValidationError(BadRequest):
    """Input that cannot be saved; `errors` lists (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        message = None
        for field, problem in errors:  # a `Text`, so that a page shows it in the reader's language
            part = Text("%(field)s: %(problem)s", field=field, problem=problem) if field else problem
            message = part if message is None else Text("%(first)s; %(then)s", first=message, then=part)
        super().__init__(message or "")


class Unauthorized(ArchiveError):
    """Only for someone signed in: sign in first."""
    status = 401


class Forbidden(ArchiveError):
    """Not for this viewer's role."""
    status = 403


class NotFound(ArchiveError, LookupError):
    """No such record, authority or revision (or not one this viewer may see: alike, so nothing
    is revealed)."""
    status = 404


class Conflict(ArchiveError):
    """The change does not fit the archive as it is now."""
    status = 409


class Deleted(Conflict, ValueError):
    """The record is deleted: undo the deletion before changing it."""
    default_message = N_("Undo the deletion first.")


class Busy(ArchiveError):
    """Another writer (an import, a reindex) held the archive too long; nothing was changed."""
    status = 503
    default_message = N_("The archive is busy with another change (an import or a reindex, perhaps). "
                         "Nothing was saved; please try again in a moment.")
