"""Two guards in front of the web app, as plain ASGI middleware (Gradio has no setting for either).

- HostGuard answers 400 to a request whose `Host:` header names another machine. A page on a
  foreign site can resolve its own name to 127.0.0.1 (DNS rebinding) and then read a loopback
  server as if it were that site; the Host header still carries the foreign name.
- UploadGuard keeps Gradio's upload route to the file types the app reads: files of any other type
  are deleted as soon as they are stored, and the request is answered 415. The page's only upload
  control is the briefing picker, which sends readable types only.
"""

from __future__ import annotations

import json
from pathlib import Path

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def host_name(header: str) -> str:
    """The host in a `Host:` header value, without the port: "[::1]:7860" -> "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostGuard:
    """Refuse requests whose Host header is not one of `allowed` (names without ports)."""

    def __init__(self, app, allowed=LOOPBACK_NAMES):
        self.app, self.allowed = app, frozenset(allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                return await _refuse(scope, send, 400, "Invalid host header")
        await self.app(scope, receive, send)


class UploadGuard:
    """Delete uploads whose type is not in `extensions` (".pdf", ...) and answer 415 instead."""

    def __init__(self, app, extensions):
        self.app, self.extensions = app, tuple(extension.lower() for extension in extensions)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/upload"):
            return await self.app(scope, receive, send)
        held = []

        async def hold(message):
            held.append(message)

        await self.app(scope, receive, hold)
        stored = _stored_paths(held)
        if any(Path(path).suffix.lower() not in self.extensions for path in stored):
            for path in stored:
                Path(path).unlink(missing_ok=True)
            return await _refuse(scope, send, 415, f"only {', '.join(self.extensions)} files can be added")
        for message in held:
            await send(message)


def _stored_paths(messages) -> list[str]:
    """The file paths a successful upload response lists; [] for anything else."""
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None or start["status"] != 200:
        return []
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    try:
        paths = json.loads(body)
    except ValueError:
        return []
    return [path for path in paths if isinstance(path, str)] if isinstance(paths, list) else []


async def _refuse(scope, send, status: int, text: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
