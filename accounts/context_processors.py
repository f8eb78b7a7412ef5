from django.utils.functional import SimpleLazyObject


def roles(request):
    """`roles.resident`, `.volunteer`, `.staff` and `.unread` (notices) for the navigation.

    Computed lazily, once per request, and only if a template asks.
    """

    def compute():
        user = request.user
        if not user.is_authenticated:
            return {"resident": False, "volunteer": False, "staff": False, "unread": 0}
        return {
            "resident": hasattr(user, "resident"),
            "volunteer": hasattr(user, "volunteer_profile"),
            "staff": user.is_community_staff,
            "unread": user.notices.filter(read_at__isnull=True).count(),
        }

    return {"roles": SimpleLazyObject(compute)}
