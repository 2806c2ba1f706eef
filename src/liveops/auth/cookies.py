"""The browser session cookie: one place decides its attributes, so that clearing it at
logout matches what was set (a browser keeps a cookie that a mismatched deletion misses)."""

from __future__ import annotations

from typing import Literal

from starlette.requests import HTTPConnection
from starlette.responses import Response

SESSION_COOKIE = "liveops_session"

CookieSecure = Literal["auto", "always", "never"]


def came_over_https(scheme: str, forwarded_proto: str | None) -> bool:
    """Was the browser's own connection HTTPS, directly or at a proxy in front of us?

    X-Forwarded-Proto is believed from anyone: the only thing it can do here is add `Secure`,
    and a client that lies about it only stops its own browser keeping the cookie over http.
    """
    if scheme in ("https", "wss"):
        return True
    if forwarded_proto is None:
        return False
    # A chain of proxies lists one value each, the browser's side first.
    return forwarded_proto.split(",", 1)[0].strip().lower() == "https"


def secure_for(setting: CookieSecure, connection: HTTPConnection) -> bool:
    if setting != "auto":
        return setting == "always"
    return came_over_https(connection.url.scheme, connection.headers.get("x-forwarded-proto"))


def set_session(response: Response, secret: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session(response: Response, *, secure: bool) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="strict"
    )
