"""Small catalogue versions for tests of several catalogues per case and of upgrades, loaded
through the catalogue loader from JSON files written for the test."""

import json

from indicators.models import CatalogVersion
from indicators.services import load_catalog_file

CITATION = {
    "issuer": "Federal Bureau of Investigation",
    "title": "North Korean IT Workers Conducting Data Extortion",
    "date": "2025-01-23",
    "url": "https://www.ic3.gov/PSA/2025/PSA250123",
}


def item(code, kind="red_flag", weight=10, **extra) -> dict:
    return {
        "code": code,
        "kind": kind,
        "category": "conduct",
        "audience": ["hiring_company"],
        "title": f"Test item {code}",
        "title_ko": f"시험 항목 {code}",
        "source_text": f"Wording of {code}.",
        "weight": weight,
        "critical": False,
        "evidence_expectation": "",
        **extra,
    }


def load_version(
    tmp_path, code, items, *, kind="supplement", published_on="2025-09-30"
) -> CatalogVersion:
    if kind == "supplement":
        items = [{"citations": [CITATION], **i} for i in items]
    data = {
        "version": code,
        "kind": kind,
        "title": f"Test catalogue {code}",
        "published_on": published_on,
        "source": {
            "advisory": f"Test catalogue {code}",
            "agencies": ["FBI"],
            "date": published_on,
            "url": "https://www.ic3.gov/PSA/2025/PSA250123",
            "retrieved_from": ["tests"],
        },
        "items": items,
    }
    path = tmp_path / f"{code}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    load_catalog_file(path)
    return CatalogVersion.objects.get(code=code)


def supplement(tmp_path, code="test-supplement-2025") -> CatalogVersion:
    """Four items: a red flag, a due-diligence step and two post-hire checks. A loaded
    supplement is a default for new cases."""
    return load_version(
        tmp_path,
        code,
        [
            item("RF-S-01", weight=12),
            item("DD-S-01", "due_diligence", 6),
            item("PH-S-01", weight=20, section="post_hire"),
            item("PH-S-02", "due_diligence", 8, section="post_hire"),
        ],
    )


def newer_base(tmp_path, code="2026-01") -> CatalogVersion:
    """A newer base version: RF-2026-01 supersedes RF-2023-01; RF-2023-02 keeps its code;
    DD-2026-01 supersedes DD-2023-01 and DD-2023-02 (the first answered one carries over);
    DD-2026-04 supersedes the red flag RF-2023-04 (a value of another kind cannot carry);
    RF-2026-09 is new. The other 2023 items have no successor."""
    return load_version(
        tmp_path,
        code,
        [
            item("RF-2026-01", weight=15, supersedes=["RF-2023-01"]),
            item("RF-2023-02", weight=10),
            item("DD-2026-01", "due_diligence", 8, supersedes=["DD-2023-01", "DD-2023-02"]),
            item("DD-2026-04", "due_diligence", 8, supersedes=["RF-2023-04"]),
            item("RF-2026-09", weight=10),
        ],
        kind="base",
        published_on="2026-01-15",
    )
