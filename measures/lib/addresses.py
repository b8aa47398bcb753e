"""Which address a request comes from, for the login throttle (django-axes: AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request arrives from the proxy's address, and the client's is in the
X-Forwarded-For header, which anyone can also send. The header is believed only when the request
comes from a listed proxy (TRUSTED_PROXIES: addresses or networks), and then only up to the first
address that is not a listed proxy, read from the right (each proxy appends the address it was
reached from). With no proxy listed, the header is ignored.
"""

import ipaddress


def parse_networks(values):
    """[ip_network] from addresses or networks as text ("10.0.0.1", "10.0.0.0/8", "::1").

    Raises ValueError naming the first value that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"“{value}” is not an IP address or network (e.g. 10.0.0.1 or 10.0.0.0/8)") from None
    return networks


def _trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr, forwarded_for, trusted):
    """The client's address (str): `remote_addr` (the TCP peer), unless it is one of the `trusted`
    networks, in which case the right-most address of `forwarded_for` (X-Forwarded-For, "a, b, c")
    that is not itself a trusted proxy. A malformed entry ends the walk at the last trusted hop."""
    if not trusted or not forwarded_for or not _trusted(remote_addr, trusted):
        return remote_addr
    address = remote_addr
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address
        address = hop
        if not _trusted(hop, trusted):
            return hop
    return address


def request_client_address(request):
    """client_address for a Django request, with settings.TRUSTED_PROXIES (django-axes calls it)."""
    from django.conf import settings

    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        settings.TRUSTED_PROXY_NETWORKS,
    )
