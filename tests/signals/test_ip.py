from signals.findings import Severity

from .helpers import by_check, only, screen

US_HOME = "73.0.0.1"  # Comcast, a residential ISP in the US
KR_HOME = "211.234.10.1"  # LG Dacom, Korea


def test_an_address_in_north_koreas_own_block_is_critical():
    finding = only(screen(claimed_country="US", ip_addresses=("175.45.176.77",)), "ip.dprk_address")
    assert finding.severity == Severity.CRITICAL
    assert "175.45.176.0/22" in str(finding.detail)
    assert "team-cymru.com" in finding.source.url


def test_an_address_geolite_places_in_north_korea_is_critical_too():
    finding = only(screen(ip_addresses=("210.52.109.3",)), "ip.dprk_address")
    assert finding.severity == Severity.CRITICAL
    assert "geoip2fast" in finding.source.url


def test_an_address_outside_the_claimed_country_is_medium():
    finding = only(screen(claimed_country="US", ip_addresses=(KR_HOME,)), "ip.country_mismatch")
    assert finding.severity == Severity.MEDIUM
    assert "KR" in str(finding.detail)


def test_an_ipv6_address_is_located_as_well():
    findings = screen(claimed_country="KR", ip_addresses=("2001:4860:4860::8888",))
    assert only(findings, "ip.country_mismatch").subject == "2001:4860:4860::8888"


def test_an_address_in_the_claimed_country_from_a_home_isp_gives_nothing():
    assert screen(claimed_country="US", ip_addresses=(US_HOME,)) == []


def test_a_cloud_hosting_address_is_flagged_with_its_provider():
    finding = only(screen(claimed_country="US", ip_addresses=("52.1.1.1",)), "ip.hosting_or_vpn")
    assert finding.severity == Severity.MEDIUM
    assert "Amazon Web Services" in str(finding.detail)


def test_private_and_malformed_addresses_are_ignored():
    assert screen(claimed_country="US", ip_addresses=("10.0.0.1", "not an ip", "::1")) == []


def test_without_a_claimed_country_there_is_no_mismatch():
    assert by_check(screen(ip_addresses=(KR_HOME,)), "ip.country_mismatch") == []
