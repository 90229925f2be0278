"""Settings shared by every environment; each value that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "reversion",
    "django_tasks",
    "django_tasks_db",
    "kb",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kb.site.middleware.ContentSecurityPolicyMiddleware",
    "kb.site.middleware.RejectNulMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.site.cache.csrf_placeholder",
                "kb.passages.context_processors.inbox",
            ],
        },
    },
]

# SQLite in var/ by default, so a fresh clone runs with nothing installed;
# production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'kb.sqlite3'}",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "kb:home"
LOGOUT_REDIRECT_URL = "kb:home"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

TAGGIT_CASE_INSENSITIVE = True

# Imported reports' original files (kb.library.originals.Original) are stored through the
# "originals" storage and only ever served by kb's own view (never from a public URL), so
# there is no MEDIA_URL. Local files under var/media by default; S3-compatible object
# storage when KB_ORIGINALS_S3_BUCKET is set (docs/deploy.md).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")


def originals_storage() -> dict:
    bucket = os.environ.get("KB_ORIGINALS_S3_BUCKET", "")
    if not bucket:
        # No "location": the storage follows MEDIA_ROOT, also when a test changes it.
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("KB_ORIGINALS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("KB_ORIGINALS_S3_REGION") or None,
            "location": os.environ.get("KB_ORIGINALS_S3_PREFIX", ""),
            # Originals are immutable and private: never overwrite a key, never make one
            # public (kb's view checks who may read and sets the headers).
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "originals": originals_storage(),
}

# Django refuses a form with more fields than this (a DoS guard; default 1,000). An article's
# change form posts 7 fields per section (id, article, position, heading, body, topics,
# DELETE), so the default refused articles of more than ~140 sections. 15,000 fits 2,000
# sections, the most the admin's section formset accepts (its absolute_max), with the
# article's own fields. The body stays bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (default
# 2.5 MB); a form beyond either gets kb.site.errors.bad_request's page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 15_000

# Hosts whose images content may show (e.g. "images.example.org"); an image from any other
# site is shown as a link to it, so readers' browsers call no third party unasked.
KB_CONTENT_IMAGE_HOSTS = env_list("KB_CONTENT_IMAGE_HOSTS")

# The public origin of the site (scheme and host, no path): exported identifiers, such as a
# passage's annotation id, are built on it so they stay the same whichever host name served
# the export (kb/site/canonical.py).
KB_SITE_URL = os.environ.get("KB_SITE_URL", "http://localhost:8000")

# Mail analysts their notifications (an edit moved their passages, a topic they used was
# renamed) through Django's mail settings (EMAIL_*, DEFAULT_FROM_EMAIL), once the edit has
# committed. Off by default: the inbox (/inbox/) always has them.
KB_NOTIFY_EMAIL = env_bool("KB_NOTIFY_EMAIL", False)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kb@localhost")

# Largest report file an editor may import (bytes); a 30-page PDF is a few megabytes.
KB_IMPORT_MAX_BYTES = int(os.environ.get("KB_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))

# Background jobs (imports, index rebuilds; kb.site.jobs): queued in the database and run
# by `manage.py db_worker`, as many of them on as many machines as the database serves
# (`make run` starts one beside the development server; docs/deploy.md). No other server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The page cache (kb/cache.py) and the content generation live here. Local memory is
# per process: fine for development and tests; production shares one (kb.settings.prod).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
