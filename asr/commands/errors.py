"""The one error type commands report as a single line."""


class CommandError(Exception):
    """A user error reported as one line (no traceback)."""
