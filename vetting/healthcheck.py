"""The container health check: `python -m vetting.healthcheck` (see docker-compose.yml).

It asks the server in this container for /healthz/ready (database and broker reachable) as the
TLS-terminating proxy would: with a host name the site accepts and `X-Forwarded-Proto: https`.
A plain request to 127.0.0.1 would get the HTTPS redirect or a 400 for a host outside
DJANGO_ALLOWED_HOSTS from a healthy server.
Exit status 0 means healthy.
"""

import os
import sys
import urllib.request

URL = "http://127.0.0.1:8000/healthz"
READY_URL = URL + "/ready"


def host_name(allowed_hosts: str) -> str:
    """A Host header that DJANGO_ALLOWED_HOSTS (comma-separated) accepts."""
    for host in allowed_hosts.split(","):
        host = host.strip().lstrip(".")  # ".example.org" accepts example.org itself too
        if host and host != "*":
            return host
    return "localhost"


def main(url: str = READY_URL) -> int:
    host = host_name(os.environ.get("DJANGO_ALLOWED_HOSTS", ""))
    headers = {"Host": host, "X-Forwarded-Proto": "https"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (an http URL, ours)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            if response.status == 200:
                return 0
            print(f"unhealthy: HTTP {response.status}", file=sys.stderr)
    except OSError as exc:  # refused, timed out, or an error status
        print(f"unhealthy: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
