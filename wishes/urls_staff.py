"""/staff/: the community workbench, for staff only (see views/staff/base.py)."""

from django.urls import path

from .views.staff import core

app_name = "staff"

urlpatterns = [
    path("", core.index, name="index"),
    # -- publishing routes (心愿清单 text, QR, print) --
    # -- hand-over event routes (集中兑现) --
    # -- spreadsheet routes (Excel import/export) --
]
