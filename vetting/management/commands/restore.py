"""`manage.py restore PATH`: a backup into an empty installation, then the integrity check.

See vetting/backup.py and README, "Backup and restore". Exit status 1 when the backup is damaged,
the installation is not empty, or the integrity check finds a problem after the restore.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vetting import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty installation (new database, "
        "new file storage), with the same field keys as the one backed up."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup directory or .tar file.")

    def handle(self, *args, path, **options):
        try:
            opened = backup.open_backup(Path(path))
            try:
                summary = backup.restore(opened, progress=self.stdout.write)
            finally:
                opened.cleanup()
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if summary["changed"] or summary["missing"]:
            raise CommandError(
                f"Restored, but the integrity check found {summary['changed']} changed and "
                f"{summary['missing']} missing files: " + "; ".join(summary["problems"])
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore complete; integrity check: {summary['checked']} files, every one "
                "matches its recorded SHA-256."
            )
        )
