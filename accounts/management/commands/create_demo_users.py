from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = "Create one demo user per role (hr, reviewer, compliance, admin) and print credentials."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=services.DEMO_PASSWORD)

    def handle(self, *args, password, **options):
        users = services.create_demo_users(password=password)
        self.stdout.write(self.style.SUCCESS("Demo users (for local evaluation only):"))
        for username, user_roles in users:
            self.stdout.write(
                f"  {username:<12} password: {password:<20} roles: {', '.join(user_roles)}"
            )
