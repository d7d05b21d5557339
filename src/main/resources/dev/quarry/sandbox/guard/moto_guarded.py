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
from moto.s3.responses import S3Response  # noqa: E402


def tagging_of_archived_objects(get_object_tagging):
    """S3 answers GetObjectTagging on GLACIER and DEEP_ARCHIVE objects; moto refuses it with
    InvalidObjectState (its key lookup checks the storage class as GetObject must). Without tags,
    the sandbox's metadata tables know no tags of archived objects, and the playbooks that select
    archived objects by tag (the quickstart's restore examples) select nothing on moto. moto makes
    one S3Response per request, so the lookup is relaxed for this request only."""

    def answered_for_any_storage_class(self):
        get_key = self._get_key
        self._get_key = lambda validate_storage_class=True: get_key(validate_storage_class=False)
        try:
            return get_object_tagging(self)
        finally:
            del self._get_key

    return answered_for_any_storage_class


S3Response.get_object_tagging = tagging_of_archived_objects(S3Response.get_object_tagging)


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
