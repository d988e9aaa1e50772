"""VETTING_EMAIL_URL: the SMTP server as one URL, read by settings.py.

    smtp://user:password@host:25         plain SMTP (STARTTLS not attempted)
    smtp+tls://user:password@host:587    SMTP upgraded with STARTTLS
    smtps://user:password@host:465       SMTP over TLS from the first byte
    console://                           print messages on standard output (development)

User name and password are percent-decoded, so an '@' or ':' in them is written %40 or %3A.
A query string may set `timeout` (seconds) and `from` (the sender address). No third-party
parser is installed, so this one is written with urllib.parse.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SCHEMES = {
    # scheme: (use STARTTLS, use implicit TLS, default port)
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtps": (False, True, 465),
    "smtp+ssl": (False, True, 465),
}


def parse_email_url(url: str) -> dict:
    """Django's EMAIL_* settings for `url`; ImproperlyConfigured with a clear message if bad."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    if scheme not in SCHEMES:
        raise ImproperlyConfigured(
            "VETTING_EMAIL_URL must start with smtp://, smtp+tls://, smtps:// or console://; "
            f"it starts with {parts.scheme + '://' if parts.scheme else 'nothing'}."
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"VETTING_EMAIL_URL has a bad port: {exc}.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("VETTING_EMAIL_URL names no host, e.g. smtp+tls://mail:587.")
    starttls, implicit_tls, default_port = SCHEMES[scheme]
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    settings = {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
    }
    if "timeout" in query:
        try:
            settings["EMAIL_TIMEOUT"] = float(query["timeout"])
        except ValueError:
            raise ImproperlyConfigured("VETTING_EMAIL_URL: timeout must be a number.") from None
    if query.get("from"):
        settings["DEFAULT_FROM_EMAIL"] = query["from"]
    return settings
