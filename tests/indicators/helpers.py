"""Catalogue files for the tests of validation, uploads and publishing."""

import copy
import json
from pathlib import Path

from indicators.services import CATALOG_DIR

DATA = Path(__file__).resolve().parent / "data"
SUPPLEMENT = DATA / "small-supplement.json"


def catalogue(name: str = "us-rok-2023-10.json") -> dict:
    return json.loads((CATALOG_DIR / name).read_text(encoding="utf-8"))


def supplement() -> dict:
    return json.loads(SUPPLEMENT.read_text(encoding="utf-8"))


REWORDED_TITLE = "Will not appear on camera, or looks different each time"


def revised_2023(code: str = "2023-10-r1") -> dict:
    """The October 2023 catalogue as a new base version with its first item reworded."""
    data = copy.deepcopy(catalogue())
    data["version"] = code
    data["title"] += " (revision 1)"
    data["items"][0]["title"] = REWORDED_TITLE
    return data


def as_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
