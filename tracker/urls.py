from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import api.urls
import reading.urls
import reports.urls
from workspace.login import admin_login

admin.site.site_header = "De-escalation Tracker"
admin.site.site_title = "De-escalation Tracker"
admin.site.index_title = "Cases, measures and evidence"

urlpatterns = [
    # A logged-in account the admin refuses gets the site's 403 page, not the admin's login form.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # One namespace for the pages readers address (measures:dashboard, measures:report…), kept stable
    # while the front ends that serve them are packages of their own.
    path("", include("alerts.urls")),
    # The read API (/api/v1/…) and the API tokens page, under their own namespace "api".
    path("", include(api.urls)),
    path("", include(([*reading.urls.urlpatterns, *reports.urls.urlpatterns], "measures"))),
]
