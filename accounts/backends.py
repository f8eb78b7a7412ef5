from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PhoneOrUsernameBackend(ModelBackend):
    """Log in with either the username or the mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        username = username.strip()
        manager = user_model._default_manager
        # A username that happens to look like someone else's phone number wins.
        user = manager.filter(username=username).first() or manager.filter(phone=username).first()
        if user is None:
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The request's user, with the resident record and volunteer profile that the menu,
        the home page and the access rules ask about on nearly every page."""
        user_model = get_user_model()
        user = (
            user_model._default_manager.select_related("resident", "volunteer_profile")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
