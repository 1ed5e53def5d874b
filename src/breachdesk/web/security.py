"""Response headers of the workbench and the portal, and a cap on request bodies.

The workbench's Content-Security-Policy allows scripts, styles and images from its own
origin only: no inline script or style, no framing, forms post to itself. Pages are never
cached (they show personal data). Bodies over the cap are refused before they are read.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WORKBENCH_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The notify stage's portal page carries its own inline style and no script at all.
PORTAL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
MAX_BODY = 11 * 1024 * 1024


def _common(csp: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]


class SecurityHeaders:
    """Adds the security headers to every response; ``no-store`` unless under ``/static``."""

    def __init__(self, app: ASGIApp, csp: str = WORKBENCH_CSP) -> None:
        self.app = app
        self.headers = _common(csp)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in self.headers if h[0] not in names]
                if b"cache-control" not in names:
                    value = b"private, max-age=300" if static else b"no-store"
                    extra.append((b"cache-control", value))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes (413) and bodies of unknown length (411).

    The server (h11) holds a client to the Content-Length it declared, so checking the
    header is enough; browsers always declare it for forms and uploads.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers", []))
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                await _refuse(send, 413, b"Request body too large.")
                return
            if length is None and b"transfer-encoding" in headers:
                await _refuse(send, 411, b"Content-Length required.")
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class WithoutCookies:
    """Drops the Cookie header: the portal never sees (or could leak) workbench cookies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"cookie"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)
