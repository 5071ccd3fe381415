"""The request an event happens in: the client's address (set by ``AuditRequestMiddleware``)
and the request id (django-structlog's, see core/logs.py; tasks queued by a request carry it)."""

from contextvars import ContextVar

import structlog

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def client_ip_of(request) -> str | None:
    """The client's address as allauth counts it (``ALLAUTH_TRUSTED_PROXY_COUNT``: a forged
    X-Forwarded-For is ignored), or None."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request) or None
    except (PermissionDenied, ValueError):
        return None


def client_ip() -> str | None:
    return _client_ip.get()


def request_id() -> str:
    return str(structlog.contextvars.get_contextvars().get("request_id") or "")[:64]


class AuditRequestMiddleware:
    """Keeps the client's address for the events recorded while the request runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
