"""Users: Django's user admin with the administrator's action that lifts a login lock (logged)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from measures.services.accounts import lift_login_lock

User = get_user_model()


class AccountAdmin(UserAdmin):
    actions = [*UserAdmin.actions, "lift_login_lock"]

    @admin.action(description="Lift the login lock of the selected users", permissions=["change"])
    def lift_login_lock(self, request, queryset):
        lifted = []
        for user in queryset:
            cleared = lift_login_lock(user=user, by=request.user)
            self.log_change(request, user, f"Lifted the login lock ({cleared} failed-login record(s) cleared).")
            if cleared:
                lifted.append(user.get_username())
        if lifted:
            self.message_user(request, f"Login lock lifted for {', '.join(lifted)}.", messages.SUCCESS)
        else:
            self.message_user(request, "None of the selected users had failed logins on record.", messages.INFO)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
