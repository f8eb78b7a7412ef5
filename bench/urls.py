from django.urls import path

from config.urls import urlpatterns as site

from . import views

urlpatterns = [path("bench/baseline/", views.baseline, name="bench_baseline"), *site]
