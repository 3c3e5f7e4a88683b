"""The one kind of error that means "the person must put something right".

Every exception a user can cause and fix (a bad file name, an unknown area, a
quarter already published, a weak password, a mistake in an area file...)
derives from `UserError`, and its message says what to do. The command line
prints it as ``error: <message>`` and exits 1 (2 for a `UsageError`); the
dashboard shows it with ``st.error``. Anything else is a fault of the product
and is not caught there.
"""


class UserError(Exception):
    """Something the person must put right; the message says what."""

    exit_status = 1
    """The command line's exit status for it."""


class UsageError(UserError):
    """A command asked for something that does not exist (an area, a file, a folder)."""

    exit_status = 2
