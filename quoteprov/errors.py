"""The one exception type that commands turn into a clear message and an exit status."""


class QuoteprovError(Exception):
    """Bad input or a failed check that the user can fix; printed without a traceback."""

    exit_status = 2
