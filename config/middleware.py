"""Pages shown to someone logged in may carry residents' personal data: never kept by a cache."""

from django.core.exceptions import SuspiciousOperation
from django.utils.cache import patch_cache_control


class PrivateByDefaultMiddleware:
    """`Cache-Control: no-store, private` on every response to a logged-in person (PIPL).

    Whatever a view set (a photo's max-age, say) gives way: a shared phone's browser or a proxy
    must not keep a resident's phone number, address or photo.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            cache_control = response.headers.get("Cache-Control", "")
            if "max-age" in cache_control or "public" in cache_control:
                del response.headers["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
        return response


class RefuseNulBytesMiddleware:
    """A NUL byte in the path, a parameter's name or its value is a 400, before any view.

    PostgreSQL refuses NUL in text, so `?status__exact=%00` reached the database and answered
    500; no person types one. SuspiciousOperation gives the 400 page and a line in the
    django.security log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            # The JSON API reads its own bodies (and refuses NUL there: api/v1.py); a form
            # parsed here would leave it nothing to read.
            or (
                request.method == "POST"
                and not request.path_info.startswith("/api/")
                and _has_nul(request.POST)
            )
        ):
            raise SuspiciousOperation("NUL byte in the request")
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from settings.PERMISSIONS_POLICY: camera, microphone, location and
    the rest off (photos are chosen through the file input, which needs none of them)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.policy = settings.PERMISSIONS_POLICY
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
