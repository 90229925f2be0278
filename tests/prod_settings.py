"""kb under its production settings (kb.settings.prod), run as ``manage.py`` in a
subprocess with the environment a deployment gives it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD_ENV = {"SECRET_KEY": "x" * 20 + "a-real-random-production-secret-key-0123456789",
            "ALLOWED_HOSTS": "kb.example.org"}


def manage_prod(*args, **env):
    """``manage.py *args`` under the production settings, with ``env`` and no inherited
    SECRET_KEY or ALLOWED_HOSTS."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(DJANGO_SETTINGS_MODULE="kb.settings.prod", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=60,
    )


def prod_setting(expression, **env):
    """``expression`` evaluated in production's settings, as printed."""
    result = manage_prod("shell", "--no-imports", "-c",
                         f"from django.conf import settings; print({expression})",
                         **PROD_ENV, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def prod_redis_cache(url):
    """Production's CACHES for a Redis at ``url``, as kb.settings.prod builds it."""
    return json.loads(prod_setting("__import__('json').dumps(settings.CACHES)", REDIS_URL=url))
