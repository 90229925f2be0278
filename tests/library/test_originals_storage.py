"""Where originals' bytes go: local files under MEDIA_ROOT by default, S3-compatible object
storage (django-storages) when KB_ORIGINALS_S3_BUCKET is set."""

from django.core.files.storage import FileSystemStorage, storages

from kb.library.originals import originals_storage
from kb.settings.base import originals_storage as storage_settings


def test_by_default_originals_are_files_under_media_root(media_root):
    storage = originals_storage()
    assert isinstance(storage, FileSystemStorage)
    assert storage.location == str(media_root)  # follows MEDIA_ROOT (var/media by default)


def test_object_storage_when_a_bucket_is_configured(monkeypatch):
    monkeypatch.setenv("KB_ORIGINALS_S3_BUCKET", "kb-originals")
    monkeypatch.setenv("KB_ORIGINALS_S3_ENDPOINT_URL", "https://s3.example.internal")
    monkeypatch.setenv("KB_ORIGINALS_S3_REGION", "ap-northeast-1")
    storage = storages.create_storage(storage_settings())  # no request made
    assert type(storage).__module__ == "storages.backends.s3"
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        "kb-originals", "https://s3.example.internal", "ap-northeast-1")
    # Never overwritten, never public: kb's view decides who reads them.
    assert storage.file_overwrite is False and storage.default_acl == "private"
    assert storage.querystring_auth is True
