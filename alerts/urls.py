"""The alerts front end's URLs, in their own namespace "alerts"."""

from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("alerts/", views.subscriptions, name="subscriptions"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("cases/<slug:slug>/feed.atom", views.case_feed, name="case_feed"),
    path("accounts/unlock/", views.unlock_request, name="unlock_request"),
    path("accounts/unlock/<str:token>/", views.unlock, name="unlock"),
]
