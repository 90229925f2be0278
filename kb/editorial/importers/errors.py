"""Why an import was refused, in words an editor can act on."""

from __future__ import annotations


class ImportRejected(ValueError):
    """The file or text cannot become an article; ``code`` names the reason for tests and logs."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)
