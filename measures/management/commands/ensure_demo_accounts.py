import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from measures.roles import ADMINISTRATOR, ANALYST, READER, REVIEWER

# Local demonstration only: these passwords are printed and written in the README.
DEMO_ACCOUNTS = [
    ("admin", "admin-demo-2024", ADMINISTRATOR),
    ("analyst", "analyst-demo-2024", ANALYST),
    ("reviewer", "reviewer-demo-2024", REVIEWER),
    ("reader", "reader-demo-2024", READER),
]


class Command(BaseCommand):
    help = (
        "Create the local demo accounts admin, analyst, reviewer and reader when they are missing (never in "
        "production)."
    )

    def handle(self, *args, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("Demo accounts are for local development only; DEBUG is off, so none were created.")
        User = get_user_model()
        for username, password, role in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username:<8} exists: left unchanged")
                continue
            user = User.objects.create_user(
                username=username,
                password=password,
                is_staff=True,
                is_superuser=role == ADMINISTRATOR,
            )
            user.groups.add(Group.objects.get(name=role))
            self.stdout.write(f"  {username:<8} password {password:<18} ({role}) created")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"Demo accounts are for local use only. Log in at http://127.0.0.1:{port}/accounts/login/")
