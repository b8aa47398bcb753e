"""The admin's login address for an account that is logged in but may not use the admin.

Django's admin sends a logged-in account without staff status (a reader, an account without a role) to
its login form, which says "You are authenticated as …, but are not authorized to access this page" and
asks for another account's password. Such an account gets the site's "Not allowed" page (403,
templates/403.html) instead, saying why and whom to ask, as every other refused page does. Anyone else
(logged out, or staff on their way in) gets the admin's own login view, unchanged."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied


def admin_login(request, extra_context=None):
    """`admin.site.login`, but PermissionDenied for an authenticated account the admin refuses
    (AdminSite.has_permission: active staff)."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied("The administration is for the team's accounts.")
    return admin.site.login(request, extra_context)
