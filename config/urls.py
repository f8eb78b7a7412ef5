from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import AdminLoginForm

from . import views

admin.site.site_header = _("微心愿 管理后台")
admin.site.site_title = _("微心愿")
admin.site.index_title = _("社区工作台")
# The admin's login shares the site's pause after wrong passwords (one lock on every door).
admin.site.login_form = AdminLoginForm
# Authenticator devices and backup codes hold secrets: nobody browses them. A superuser resets
# someone's two-factor sign-in with the action on the users' list (accounts/admin.py).
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

# A refusal (PermissionDenied, the admin's included) also lands in the security log.
handler403 = "config.views.permission_denied"

# The pages everyone opens (the 心愿清单, a wish, my claims) first: Django tries the patterns in
# order, and each include with an empty prefix that is tried in vain costs a walk of its list.
# wishes.urls names no path another app uses.
urlpatterns = [
    path("", include("wishes.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),  # /api/v1/, /open311/v2/, /accounts/tokens/
    path("accounts/", include("accounts.urls")),
    path("staff/", include("wishes.urls_staff")),
    path("organisations/", include("communities.urls")),
    path("notices/", include("notices.urls")),
    path("", include("outcomes.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
]

# No /media/ route, not even in development: photos of residents' homes are served only by
# wishes:photo, after the permission check.
