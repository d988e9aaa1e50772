from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators import services


class Command(BaseCommand):
    help = (
        "Load the indicator catalogue data files (indicators/catalogs/*.json). Idempotent: loading "
        "again changes nothing; a changed file for a published version is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Catalogue files (default: all bundled files)")

    def handle(self, *args, files, **options):
        paths = [Path(name) for name in files] or None
        for path in paths or []:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        try:
            results = services.load_catalogs(paths)
        except services.CatalogError as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            state = "loaded" if result.created else "unchanged"
            self.stdout.write(
                f"Catalogue {result.version} ({result.file_name}): {state}, "
                f"{result.item_count} items"
            )
