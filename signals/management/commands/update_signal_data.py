"""Validate and import a newer version of a curated reference dataset.

    manage.py update_signal_data <dataset> --file new.json [--provenance new.provenance.json]

The file must be in the documented format (signals/README.md) and carry a newer version than
the installed one; its provenance sidecar (default: beside the file, `<stem>.provenance.json`)
must name the same dataset and version. A bad file changes nothing and exits with status 2.
After a successful import `signals.reference.reference_data_updated` is sent: cases re-screens
every open case (`cases.tasks.rescreen_open_cases`).
"""

import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from signals.reference import (
    DATASETS,
    DataError,
    data_dir,
    load_dataset,
    read_json,
    reference_data_updated,
    reload_reference_data,
    validate,
    version_key,
)

BAD_FILE = 2


class Command(BaseCommand):
    help = "Validate and import a newer version of a signals reference dataset."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=sorted(DATASETS))
        parser.add_argument("--file", required=True, type=Path, help="the new <dataset>.json")
        parser.add_argument(
            "--provenance",
            type=Path,
            help="its provenance sidecar (default: <file stem>.provenance.json beside the file)",
        )
        parser.add_argument(
            "--allow-same-version",
            action="store_true",
            help="accept a file whose version is not newer than the installed one",
        )

    def refuse(self, message: str):
        self.stderr.write(self.style.ERROR(f"Refused: {message}"))
        sys.exit(BAD_FILE)

    def handle(self, *args, dataset, file, provenance, allow_same_version, **options):
        spec = DATASETS[dataset]
        provenance = provenance or file.with_name(f"{file.stem}.provenance.json")
        try:
            data = read_json(file)
            validate(spec, data, read_json(provenance))
        except DataError as exc:
            self.refuse(f"{file}: {exc}")
        try:
            installed, _ = load_dataset(spec)
        except DataError:
            installed = ""  # a broken installed file may always be replaced by a valid one
        newer = not installed or version_key(str(data["version"])) > version_key(installed)
        if not newer and not allow_same_version:
            self.refuse(
                f"version {data['version']} is not newer than the installed {installed} "
                "(use --allow-same-version to replace it anyway)"
            )
        target_dir = data_dir()
        target_dir.mkdir(parents=True, exist_ok=True)
        targets = (target_dir / spec.filename, target_dir / spec.provenance_filename)
        for source, target in zip((file, provenance), targets, strict=True):
            tmp = target.with_suffix(".tmp")
            shutil.copyfile(source, tmp)
            tmp.replace(target)
        reload_reference_data()
        count = len(data["entries"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {dataset} {data['version']} ({count} entries) into {targets[0]}."
            )
        )
        reference_data_updated.send(sender=self.__class__, dataset=dataset, version=data["version"])
