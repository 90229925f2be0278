import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(DJANGO_SETTINGS_MODULE="kb.settings.prod", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="kb.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key():
    result = _manage("check", SECRET_KEY="django-insecure-development-only-key-do-not-deploy" * 2,
                     ALLOWED_HOSTS="kb.example.org")
    assert result.returncode != 0


def test_production_check_deploy_is_clean():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     SECRET_KEY="x" * 20 + "a-real-random-production-secret-key-0123456789",
                     ALLOWED_HOSTS="kb.example.org")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
