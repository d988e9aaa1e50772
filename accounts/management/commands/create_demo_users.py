from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = "Create one demo user per role (hr, reviewer, compliance, admin) and print credentials."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=services.DEMO_PASSWORD)

    def handle(self, *args, password, **options):
        users = services.create_demo_users(password=password)
        self.stdout.write(self.style.SUCCESS("Demo users (for local evaluation only):"))
        for username, user_roles, _key in users:
            self.stdout.write(
                f"  {username:<12} password: {password:<20} roles: {', '.join(user_roles)}"
            )
        with_key = [(username, key) for username, _roles, key in users if key]
        if with_key:
            self.stdout.write(
                "These users also need a code from an authenticator app after the password. "
                "Add the key to an app (time-based, 6 digits), or print the current code with "
                "`make totp user=<username>` (development only):"
            )
            for username, key in with_key:
                self.stdout.write(f"  {username:<12} key: {key}")
