"""`manage.py backup PATH`: the database and every stored file, with a manifest of hashes.

See vetting/backup.py and README, "Backup and restore". The field keys are never in a backup.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vetting import backup


class Command(BaseCommand):
    help = (
        "Write a backup (the database as portable JSON Lines, every stored file and a manifest "
        "of SHA-256 hashes) to a new directory, or to a .tar file when PATH ends in .tar. "
        "Secrets and field keys are not included: keep them apart."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A new directory, or a file name ending in .tar.")

    def handle(self, *args, path, **options):
        try:
            manifest = backup.create_backup(Path(path), progress=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup complete: {path} ({len(manifest['files'])} files). "
                "It holds no field keys: keep VETTING_FIELD_KEYS and VETTING_BLIND_INDEX_KEY "
                "apart, the restoring installation needs them."
            )
        )
