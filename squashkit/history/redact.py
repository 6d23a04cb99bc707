"""Keep passwords out of every description, message and log line.

DSNs are shown with the password replaced by ``***``: ``postgresql://app:***@db:5432/shop``.  Messages from
drivers (psycopg can quote the connection string) are scrubbed of every secret squashkit knows about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

__all__ = ["MASK", "dsn_password", "encode_password", "redact_dsn", "scrub"]

MASK = "***"

# Greedy up to the LAST "@" of the token: a password with an unencoded "@" or "/" is masked whole.
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:@/\s]*):(?P<password>\S*)@")
_KV_PASSWORD = re.compile(r"(?P<key>\bpassword\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def dsn_password(dsn: str) -> str | None:
    """The password written in a DSN (URL or ``key=value`` form), decoded; ``None`` when there is none."""
    match = _URL_PASSWORD.search(dsn)
    if match and match.group("password"):
        return unquote(match.group("password"))
    match = _KV_PASSWORD.search(dsn)
    if match and match.group("value"):
        value = match.group("value")
        if value.startswith("'") and value.endswith("'"):
            value = value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        return unquote(value)
    return None


def encode_password(dsn: str) -> str:
    """``dsn`` with its URL password percent-encoded (an unencoded ``@`` or ``/`` in it would make libpq read
    part of the password as the host, and name that part in its error message); other DSNs unchanged."""
    match = _URL_PASSWORD.match(dsn)
    if match is None or not match.group("password"):
        return dsn
    password = quote(unquote(match.group("password")), safe="")
    return f"{match.group('scheme')}{match.group('user')}:{password}@{dsn[match.end() :]}"


def redact_dsn(dsn: str) -> str:
    """``dsn`` with any password (userinfo or ``password=`` parameter) replaced by ``***``.

    Everything between ``://`` and the last ``@`` is the user and password: a password holding an unencoded
    ``@`` or ``/`` is masked whole, never cut at its first ``@``.
    """
    out = _URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", dsn)
    return _KV_PASSWORD.sub(lambda m: f"{m.group('key')}{MASK}", out)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with DSN passwords and every known secret (plain and URL-quoted) replaced by ``***``."""
    out = redact_dsn(text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            out = out.replace(form, MASK)
    return out


def host_of(dsn: str) -> str:
    """Host and port of a URL DSN, for short descriptions (empty when not a URL)."""
    try:
        parts = urlsplit(dsn)
        return parts.netloc.rsplit("@", 1)[-1]
    except ValueError:
        return ""
