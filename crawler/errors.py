"""Errors a user can fix: the CLI prints them as one line naming the input at fault."""


class UserError(Exception):
    """Bad input or configuration; the message says what is wrong and what to do."""
