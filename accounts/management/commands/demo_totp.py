import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts import otp


class Command(BaseCommand):
    help = (
        "Development only (DJANGO_DEBUG=1): print the current authenticator code of a user, so "
        "the demo users can be tried without an authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp works only in development (DJANGO_DEBUG=1).")
        user = User.objects.filter(username=username).first()
        device = otp.authenticator(user) if user else None
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}  (valid for another {left} s)")
