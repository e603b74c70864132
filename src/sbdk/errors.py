"""The one error type users see: a message saying what went wrong and what to do."""


class SbdkError(Exception):
    """A failure caused by the user's input or environment: one line, no traceback."""


def one_line(message: str) -> str:
    """A message of any length on one line: its non-empty lines, stripped, joined by spaces."""
    return " ".join(line.strip() for line in message.strip().splitlines() if line.strip())
