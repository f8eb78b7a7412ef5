from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import phone_views, reset_views, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", phone_views.RegisterView.as_view(), name="register"),
    path("register/code/", phone_views.register_code, name="register_code"),
    path("profile/", views.profile, name="profile"),
    path("profile/phone/", phone_views.phone_code, name="phone_code"),
    path("profile/communities/", views.join_community, name="join_community"),
    path("profile/volunteer/", views.become_volunteer, name="become_volunteer"),
    path("profile/organisation/", views.change_organisation, name="change_organisation"),
    path("password/forgot/", reset_views.request_code, name="password_reset"),
    path("password/forgot/code/", reset_views.enter_code, name="password_reset_code"),
    path("two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/backup-codes/", two_factor_views.new_backup_codes, name="two_factor_codes"),
    path("two-factor/off/", two_factor_views.turn_off, name="two_factor_off"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
