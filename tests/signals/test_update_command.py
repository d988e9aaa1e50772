import json

import pytest
from django.core.management import call_command

from signals.reference import PACKAGE_DATA_DIR, reference_data, reload_reference_data

from .helpers import only, screen

# A successful import re-screens the open cases (cases connects to reference_data_updated).
pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.SIGNALS_DATA_DIR = tmp_path / "signal-data"
    reload_reference_data()
    yield settings.SIGNALS_DATA_DIR
    reload_reference_data()


def write(folder, name, data, provenance):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data))
    (folder / f"{name}.provenance.json").write_text(json.dumps(provenance))
    return folder / f"{name}.json"


def shipped(name):
    data = json.loads((PACKAGE_DATA_DIR / f"{name}.json").read_text())
    provenance = json.loads((PACKAGE_DATA_DIR / f"{name}.provenance.json").read_text())
    return data, provenance


def newer(name, version="2099-01-01", entries=None):
    data, provenance = shipped(name)
    data["version"] = provenance["version"] = version
    if entries is not None:
        data["entries"] = entries
    return data, provenance


def refused(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        call_command("update_signal_data", *args)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def test_a_newer_valid_file_is_imported_and_used_at_once(data_dir, tmp_path):
    entry = {
        "kind": "email",
        "value": "Persona.Dev+jobs@gmail.com",
        "persona": "test persona",
        "source": {"title": "A public report", "url": "https://example.org/report"},
    }
    path = write(
        tmp_path / "new", "persona_identifiers", *newer("persona_identifiers", entries=[entry])
    )
    reference_data()  # cached before the update
    call_command("update_signal_data", "persona_identifiers", "--file", str(path))
    assert reference_data().versions["persona_identifiers"] == "2099-01-01"
    assert only(screen(emails=("personadev@gmail.com",)), "persona.public_identifier")
    assert (data_dir / "persona_identifiers.provenance.json").exists()


def test_a_file_that_is_not_json_is_refused_with_exit_code_2(data_dir, tmp_path, capsys):
    path = tmp_path / "forwarders.json"
    path.write_text("{not json")
    assert "not readable JSON" in refused(capsys, "forwarders", "--file", str(path))
    assert not (data_dir / "forwarders.json").exists()


def test_a_routing_number_with_a_bad_checksum_is_refused(data_dir, tmp_path, capsys):
    data, provenance = newer("fintech_routing")
    data["entries"][0]["routing_number"] = "026073151"
    path = write(tmp_path / "new", "fintech_routing", data, provenance)
    assert "not a valid ABA routing number" in refused(
        capsys, "fintech_routing", "--file", str(path)
    )


def test_an_entry_without_a_source_is_refused(data_dir, tmp_path, capsys):
    data, provenance = newer("dprk_ip_ranges", entries=[{"cidr": "175.45.176.0/22"}])
    path = write(tmp_path / "new", "dprk_ip_ranges", data, provenance)
    assert "missing source" in refused(capsys, "dprk_ip_ranges", "--file", str(path))


def test_an_older_or_equal_version_is_refused(data_dir, tmp_path, capsys):
    path = write(tmp_path / "new", "forwarders", *shipped("forwarders"))
    assert "not newer" in refused(capsys, "forwarders", "--file", str(path))


def test_a_file_without_its_provenance_sidecar_is_refused(data_dir, tmp_path, capsys):
    data, _provenance = newer("forwarders")
    path = tmp_path / "forwarders.json"
    path.write_text(json.dumps(data))
    assert "does not exist" in refused(capsys, "forwarders", "--file", str(path))


def test_a_file_for_another_dataset_is_refused(data_dir, tmp_path, capsys):
    path = write(tmp_path / "new", "forwarders", *newer("forwarders"))
    assert "not 'dprk_ip_ranges'" in refused(capsys, "dprk_ip_ranges", "--file", str(path))
