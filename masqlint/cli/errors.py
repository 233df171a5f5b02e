"""The command line's own error: a usage mistake, told in one line with exit status 2."""


class UsageError(Exception):
    pass
