"""Django's admin autodiscover imports this module: it imports each room's admin, which
registers that room's models."""

from kb.editorial import admin as editorial_admin  # noqa: F401
from kb.library import admin as library_admin  # noqa: F401
from kb.passages import admin as passages_admin  # noqa: F401
