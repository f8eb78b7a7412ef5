from django.urls import path, re_path

from . import open311, views
from .v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/tokens/", views.tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
    re_path(r"^open311/v2/services\.(?P<fmt>json|xml)$", open311.services, name="open311_services"),
    re_path(r"^open311/v2/requests\.(?P<fmt>json|xml)$", open311.requests, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<pk>[0-9]{1,18})\.(?P<fmt>json|xml)$",
        open311.request_detail,
        name="open311_request",
    ),
]
