"""measures.lib.addresses: the client's address, believing X-Forwarded-For only from listed proxies."""

import pytest

from measures.lib.addresses import client_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8::1"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("192.0.2.1", "", "192.0.2.1"),
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),  # not a proxy: the header is anyone's
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the left part is the client's to forge
        ("10.0.0.2", "198.51.100.7, 10.1.1.1", "198.51.100.7"),  # two proxies
        ("2001:db8::1", "2001:db8::99", "2001:db8::99"),
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.7, junk", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),  # only proxies: the farthest one
    ],
)
def test_client_address(remote, forwarded, expected):
    assert client_address(remote, forwarded, PROXIES) == expected


def test_without_listed_proxies_the_header_is_ignored():
    assert client_address("10.0.0.2", "198.51.100.7", []) == "10.0.0.2"


def test_a_bad_network_is_named():
    with pytest.raises(ValueError, match="“10.0.0.300” is not an IP address or network"):
        parse_networks(["10.0.0.0/8", "10.0.0.300"])
