"""Who uses the web UI: an API key given once on the sign-in page, kept in an HttpOnly cookie, checked on every
request like a Bearer key (so a revoked key stops working at once), and a per-key token that every form posts
back (a page of another site can neither read it nor make one)."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from uts.store.access import AuthError, Principal
from uts_api.service import Service

COOKIE = "uts_key"
CSRF_FIELD = "csrf"


def signed_in(request: Request, svc: Service) -> Principal | None:
    """The annotator whose key the browser holds, or ``None`` (no key, or one no longer valid)."""
    key = request.cookies.get(COOKIE)
    if not key:
        return None
    try:
        return svc.keys.verify(key)
    except AuthError:
        return None


def form_token(request: Request) -> str:
    """The token the forms of this browser's pages carry; empty when signed out."""
    key = request.cookies.get(COOKIE, "")
    if not key:
        return ""
    return hmac.new(key.encode(), b"uts-ui-form", hashlib.sha256).hexdigest()[:32]


def require(request: Request, svc: Service, token: str) -> Principal:
    """The signed-in annotator of a form post: refused without a valid key or with a token not of this key."""
    who = signed_in(request, svc)
    if who is None:
        raise AuthError("sign in with your API key first (the Sign in link at the top of the page)")
    if not hmac.compare_digest(token.encode(), form_token(request).encode()):  # bytes: any text compares
        raise AuthError("this form was not sent from a page of this site (or your key changed): reload the page")
    return who


__all__ = ["COOKIE", "CSRF_FIELD", "form_token", "require", "signed_in"]
