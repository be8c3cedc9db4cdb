"""Errors the library raises; the CLI turns each into a one-line message and an exit code."""


class TierscopeError(Exception):
    """Base class: anything a user can act on."""

    exit_code = 1


class InputError(TierscopeError, ValueError):
    """A file cannot be read as the format it claims (missing column, unknown format)."""

    exit_code = 2


class TooManyRejects(TierscopeError):
    """A load hit --max-rejects."""

    exit_code = 3


class DatabaseError(TierscopeError):
    """Neo4j is unreachable, refused the credentials, or failed a query."""

    exit_code = 4


class ServerError(TierscopeError):
    """The managed Neo4j server could not be fetched, started or stopped."""

    exit_code = 5
