"""First-run setup: while no staff account exists, a secret link creates the first admin.

The token is derived from the secret key, so it is stable across restarts, needs no storage,
and is useless once an account exists (the setup page then refuses).
"""

from __future__ import annotations

import hashlib
import hmac

from storage.runtime import Storage
from storage.staff import StaffDirectory


def setup_token(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"staff-setup", hashlib.sha256).hexdigest()[:32]


def token_ok(secret_key: str, given: str) -> bool:
    return bool(secret_key) and hmac.compare_digest(setup_token(secret_key), given)


async def setup_link(storage: Storage) -> str | None:
    """The link to print at start-up, or None once any staff account exists."""
    if not storage.settings.secret_key:
        return None  # without a secret key the token would be guessable
    if await StaffDirectory(storage.sessions, storage.procedure).count():
        return None
    settings = storage.settings
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    return f"{base}/staff/setup?token={setup_token(settings.secret_key)}"
