import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from kb.site.roles import ANALYST_GROUP, EDITOR_GROUP

DEMO_USERS = [("editor", EDITOR_GROUP, True), ("analyst", ANALYST_GROUP, False)]


class Command(BaseCommand):
    help = (
        "For a local demo only: create an editor and an analyst with random passwords, "
        "printed once. Existing users are left alone unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="give them new passwords")

    def handle(self, *args, reset: bool, **options):
        User = get_user_model()
        for username, group_name, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": is_staff}
            )
            user.groups.add(Group.objects.get(name=group_name))
            if created or reset:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                self.stdout.write(f"  {group_name}: user {username!r}, password {password!r}")
            else:
                self.stdout.write(
                    f"  {group_name}: user {username!r} exists "
                    "(new password: .venv/bin/python manage.py setup_demo_users --reset)"
                )
