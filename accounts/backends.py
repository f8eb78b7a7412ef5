from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .identity import load_user


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
        """The request's user, with the facts about them that the menu, the access rules and
        the cached pages ask about on nearly every page, all in one query (accounts/identity.py).
        """
        user = load_user(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        user._scope_per_request = True  # one access scope for the request (accounts/scoping.py)
        return user
