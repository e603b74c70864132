"""The one error type users see: a message saying what went wrong and what to do."""


class SbdkError(Exception):
    """A failure caused by the user's input or environment: one line, no traceback."""
