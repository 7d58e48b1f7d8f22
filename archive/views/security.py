"""What the browser is told to protect: CSRF tokens on every form, security headers on every response,
and session cookies that are HttpOnly, SameSite=Lax, Secure over HTTPS and signed by the archive's
clock (see SECURITY.md). `PROXY_FIX` trusts one reverse proxy that terminates HTTPS. Absolute links
are built from BASE_URL (`common.external_url`), checked here to be a web address; Flask itself
refuses a Host header not in TRUSTED_HOSTS when that is set.
"""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import TimestampSigner

from .. import clock
from ..urls import is_web_url

csrf = CSRFProtect()

# No inline scripts or styles, nothing from elsewhere, no framing (see SECURITY.md).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    if not is_web_url(app.config["BASE_URL"]):
        raise ValueError(f"BASE_URL must be the archive's public address, http:// or https://, "
                         f"not {app.config['BASE_URL']!r}")
    csrf.init_app(app)  # every POST, PUT, PATCH and DELETE needs a CSRF token
    app.session_interface = SessionInterface()
    app.after_request(security_headers)
    if app.config["PROXY_FIX"]:  # behind a reverse proxy that terminates HTTPS
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class ClockSigner(TimestampSigner):
    """Signs the session with the archive's clock, so its age (and its expiry) follows that clock."""

    def get_timestamp(self) -> int:
        return int(clock.CLOCK.timestamp())


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are HttpOnly and SameSite=Lax always, and Secure whenever served over HTTPS;
    they are signed, aged and expired by the archive's clock."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app):
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            serializer.signer = ClockSigner
        return serializer

    def get_expiration_time(self, app, session):
        return clock.CLOCK.datetime() + app.permanent_session_lifetime if session.permanent else None
