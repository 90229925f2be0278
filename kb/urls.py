from django.contrib import admin
from django.urls import include, path

from kb.editorial import urls as editorial_urls
from kb.exchange import urls as exchange_urls
from kb.library import urls as library_urls
from kb.passages import urls as passages_urls
from kb.search import urls as search_urls
from kb.site import health

# Every room's pages under one namespace, "kb" (kb:article, kb:api_passages, kb:search, ...).
kb_patterns = [
    *library_urls.urlpatterns,
    *editorial_urls.urlpatterns,
    *passages_urls.urlpatterns,
    *search_urls.urlpatterns,
    *exchange_urls.urlpatterns,
]

urlpatterns = [
    path("", include((kb_patterns, "kb"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]

handler400 = "kb.site.errors.bad_request"
handler500 = "kb.site.errors.server_error"
