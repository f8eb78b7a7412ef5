from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import check_for_language
from django.views import defaults, i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit.security import security_event


def set_language(request):
    """Django's language switch, which also remembers the choice on the signed-in person, so
    their notices and e-mail arrive in it."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    user = request.user
    chosen = request.method == "POST" and language and check_for_language(language)
    if chosen and user.is_authenticated and user.language != language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
    return response


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Search engines may read the public pages (the list, a wish, statistics, the wall). People's
# own pages and the workbench need a login, so a crawler only ever meets the login page there;
# listing them here would only tell the world where they are.
ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /accounts/
"""


@require_safe
def robots_txt(request):
    return HttpResponse(ROBOTS, content_type="text/plain; charset=utf-8")


def permission_denied(request, exception=None):
    """Django's 403 page (templates/403.html), with a line in the security log: who was refused
    what. Not the exception's words, which may quote a wish."""
    match = getattr(request, "resolver_match", None)
    security_event(
        "permission_denied",
        request=request,
        outcome="denied",
        status=403,
        view=match.view_name if match else "",
    )
    return defaults.permission_denied(request, exception)
