"""Pages shown to someone logged in may carry residents' personal data: never kept by a cache."""

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
