from django.urls import path

from instruments import views

app_name = "instruments"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
]
