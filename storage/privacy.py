"""Pseudonymous identifiers for Telegram users and chats.

We need to count repeat askers and rate-limit without storing who asked what. A keyed
HMAC (secret kept outside the database) means a leaked database cannot be reversed by
hashing every plausible Telegram id, which a plain SHA-256 would allow.
"""

from __future__ import annotations

import hashlib
import hmac


def hash_user_id(secret: str, user_id: int) -> str:
    """HMAC-SHA256 hex digest of a Telegram user (or chat) id under `secret`."""
    if not secret:
        raise ValueError("hash_user_id needs a non-empty secret; an empty key is not a secret")
    message = str(int(user_id)).encode("ascii")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
