"""Test runs: the development settings, with a fast password hasher."""

from kb.settings.dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run inside the request that queues them, so a test sees a job's outcome at once; a
# test of the queue itself switches to the dummy backend (tests/editorial/test_import_jobs.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
