"""Where a form may send the user next: only back into this site."""

from __future__ import annotations

from urllib.parse import urlsplit

# Browsers treat a backslash like a slash, so "/\evil.example" is protocol-relative.
_FORBIDDEN = ("\\", "\r", "\n", "\t", "\x00")


def safe_next(target: object, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``.

    Anything with a scheme or host (``https://evil.example``, ``//evil.example``)
    would turn the redirect after sign-in or a language switch into an open
    redirect, so only plain absolute paths pass.
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if any(char in target for char in _FORBIDDEN):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
