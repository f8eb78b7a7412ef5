from django.utils.functional import SimpleLazyObject


def roles(request):
    """`roles.resident`, `roles.volunteer`, `roles.staff` for navigation, computed once, lazily."""

    def compute():
        user = request.user
        if not user.is_authenticated:
            return {"resident": False, "volunteer": False, "staff": False}
        return {
            "resident": hasattr(user, "resident"),
            "volunteer": hasattr(user, "volunteer_profile"),
            "staff": user.is_community_staff,
        }

    return {"roles": SimpleLazyObject(compute)}
