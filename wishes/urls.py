from django.urls import path

from . import views

app_name = "wishes"

urlpatterns = [
    path("", views.home, name="home"),
]
