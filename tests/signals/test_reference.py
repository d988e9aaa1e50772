import json

import pytest

from signals.checks import CHECKS, FINDING_IDS
from signals.reference import DATASETS, PACKAGE_DATA_DIR, load_dataset, reference_data

BRIEF_IDS = {
    "ip.dprk_address",
    "ip.country_mismatch",
    "ip.hosting_or_vpn",
    "phone.invalid",
    "phone.voip",
    "phone.country_mismatch",
    "phone.dprk",
    "email.disposable",
    "bank.routing_checksum",
    "bank.fintech_routing",
    "bank.iban_invalid",
    "bank.country_mismatch",
    "shipping.forwarder",
    "shipping.country_mismatch",
    "history.education_employment_geography",
    "persona.public_identifier",
    "links.flagged_case",
    "links.many_cases",
}


def test_the_registry_covers_every_check_of_the_issue():
    assert FINDING_IDS == BRIEF_IDS
    assert len({check.name for check in CHECKS}) == len(CHECKS)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_shipped_dataset_is_valid_and_every_entry_cites_a_source(name):
    version, index = load_dataset(DATASETS[name])
    assert index
    data = json.loads((PACKAGE_DATA_DIR / f"{name}.json").read_text())
    provenance = json.loads((PACKAGE_DATA_DIR / f"{name}.provenance.json").read_text())
    assert data["version"] == provenance["version"] == version
    assert provenance["licence"] and provenance["retrieved"]
    assert all(entry["source"]["url"].startswith("http") for entry in data["entries"])


def test_reference_data_is_loaded_once_and_records_every_version():
    data = reference_data()
    assert reference_data() is data
    assert set(DATASETS) <= set(data.versions)
    assert {"geoip2fast", "phonenumbers", "disposable-email-domains"} <= set(data.versions)
