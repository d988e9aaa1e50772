from django.core.management.base import BaseCommand, CommandError

from cases import services


class Command(BaseCommand):
    help = (
        "Re-encrypt account and identity document numbers (and their history) under the first key "
        "of VETTING_FIELD_KEYS. Run after putting a new key first; then old keys can be removed."
    )

    def handle(self, *args, **options):
        try:
            counts = services.rotate_field_keys()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {counts['candidates']} candidates and "
                f"{counts['history_rows']} history rows under the current key."
            )
        )
