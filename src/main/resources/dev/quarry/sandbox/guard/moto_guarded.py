"""moto_server for the Quarry sandbox: moto's own server app on 127.0.0.1 only, behind a WSGI
middleware that refuses what dev.quarry.sandbox.guard.LoopbackRequests refuses (a Host header
that does not name loopback, any Origin header), and with moto's allow-all CORS turned off.

Usage: python moto_guarded.py PORT
"""
import ipaddress
import os
import sys

# read by moto.settings when moto is imported: without it every origin may read the answers
os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"

from werkzeug.serving import run_simple  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)


def loopback_host(header):
    host = header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end < 0 or not (end == len(host) - 1 or host[end + 1] == ":"):
            return False
        return host[1:end] == "::1"
    if host.count(":") > 1:
        return False
    if ":" in host:
        host, port = host.split(":", 1)
        if not port.isdigit():
            return False
    host = host[:-1] if host.endswith(".") else host
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return host.count(".") == 3 and ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        return False


def refusal(host, origin):
    if origin is not None:
        return "requests from web pages (with an Origin header) are refused by the Quarry sandbox"
    if not host:
        return "a request without a Host header is refused by the Quarry sandbox"
    if not loopback_host(host):
        return "the Quarry sandbox only answers requests addressed to localhost or 127.0.0.1"
    return None


class Guard:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        reason = refusal(environ.get("HTTP_HOST"), environ.get("HTTP_ORIGIN"))
        if reason is None:
            return self.app(environ, start_response)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
            "<Message>%s</Message></Error>" % reason
        ).encode("utf-8")
        start_response(
            "403 Forbidden",
            [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
        )
        return [body]


def main():
    port = int(sys.argv[1])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, Guard(app), threaded=True)


if __name__ == "__main__":
    main()
