from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm

from . import views

admin.site.site_header = _("微心愿 管理后台")
admin.site.site_title = _("微心愿")
admin.site.index_title = _("社区工作台")
# The admin's login shares the site's pause after wrong passwords (one lock on every door).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("staff/", include("wishes.urls_staff")),
    path("organisations/", include("communities.urls")),
    path("notices/", include("notices.urls")),
    path("", include("outcomes.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", include("wishes.urls")),
]

# No /media/ route, not even in development: photos of residents' homes are served only by
# wishes:photo, after the permission check.
