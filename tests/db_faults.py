"""The database failing under a test, as it fails in production."""

from django.db import OperationalError


class DatabaseGoesAway:
    """Fail every query from the first one matching ``when`` on, as a dropped connection does."""

    def __init__(self, when=lambda sql: True):
        self.when = when
        self.gone = False

    def __call__(self, execute, sql, params, many, context):
        if self.gone or self.when(sql):
            self.gone = True
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)
