"""Local development: safe defaults for a laptop, overridable from the environment."""

import os

from kb.settings.base import *  # noqa: F403
from kb.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
# A development-only key; production refuses to start without its own SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-only-key-do-not-deploy")

# Serve static files straight from static/ (no collectstatic in development).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
