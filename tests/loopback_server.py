"""A stand-in for the Messages API on 127.0.0.1, built on the generated package.

It lets a real client (the official SDK in tests/test_sdk_e2e.py) talk to code that uses
`anthropic_messages` the way a gateway does:

- `POST /v1/messages` (with or without the `?beta=true` query the SDK's beta client adds) and
  `POST /v1/messages/count_tokens` decode the body with `strict=True`. A body the package rejects
  gets a 400 whose `ErrorResponse` is built and encoded by the package; its message is the
  `DecodeError` text, so it names the JSON path. Every request is recorded (`server.requests`).
- Accepted requests are answered from a script: the test queues `Reply` objects with
  `server.reply(...)`, one per request, in order. A `Reply` made from a recorded payload either
  goes through the package (decode, then encode) or, with `reference=True`, is sent as recorded
  without the package, so a test can compare what the client makes of each.

Usage:

    with LoopbackServer() as server:
        server.reply(Reply.message(path.read_bytes()))
        client = anthropic.Anthropic(base_url=server.url, api_key="test-key", max_retries=0)
        client.messages.create(...)
        (request,) = server.take_requests()
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anthropic_messages as m

# The body type of each endpoint.
ENDPOINTS: dict[str, Any] = {
    "/v1/messages": m.MessageCreateParams,
    "/v1/messages/count_tokens": m.MessageCountTokensParams,
}

# The HTTP status the API answers with for each error type.
STATUS_OF_ERROR_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

JSON_CONTENT_TYPE = "application/json"
SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"


def compact_json(value: Any) -> bytes:
    """JSON text without spaces, UTF-8, as the API writes it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def sse_event(name: str, data: bytes) -> bytes:
    """One server-sent event: its name, its one-line data, and the blank line that ends it."""
    return b"event: " + name.encode("utf-8") + b"\ndata: " + data + b"\n\n"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, content type and the exact bytes of the body.

    A stream keeps its events apart (`events`) and is sent with chunked transfer encoding, one
    chunk per event, as the API sends it; any other body is sent whole with a Content-Length.
    """

    status: int
    content_type: str
    body: bytes
    events: tuple[bytes, ...] = ()

    @classmethod
    def message(cls, raw: bytes, *, reference: bool = False) -> Reply:
        """A non-streaming `Message` from its recorded JSON text."""
        return cls._json(m.Message, raw, 200, reference)

    @classmethod
    def tokens_count(cls, raw: bytes, *, reference: bool = False) -> Reply:
        """A `MessageTokensCount`, the answer of count_tokens, from its recorded JSON text."""
        return cls._json(m.MessageTokensCount, raw, 200, reference)

    @classmethod
    def error(
        cls, raw: bytes, *, status: int | None = None, reference: bool = False, strict: bool = True
    ) -> Reply:
        """An `ErrorResponse` from its recorded JSON text.

        The status defaults to the one the API uses for the error's type. `strict=False` lets
        the package keep an error type it does not know (bodies written by proxies).
        """
        if status is None:
            status = STATUS_OF_ERROR_TYPE[json.loads(raw)["error"]["type"]]
        return cls._json(m.ErrorResponse, raw, status, reference, strict)

    @classmethod
    def stream(cls, events: list[Any], *, reference: bool = False) -> Reply:
        """An SSE stream from the recorded `data` payloads of its events (pings included).

        The package decodes each payload as a `MessageStreamEvent` and encodes it again; the
        reference writes the recorded value with `json.dumps`, as the recorder parsed it.
        """
        chunks = []
        for data in events:
            if reference:
                chunks.append(sse_event(data["type"], json.dumps(data).encode("utf-8")))
            else:
                event = m.decode(m.MessageStreamEvent, data, strict=True)
                chunks.append(sse_event(event.type, compact_json(m.encode(event))))
        return cls(200, SSE_CONTENT_TYPE, b"".join(chunks), tuple(chunks))

    @classmethod
    def decode_error(cls, error: m.DecodeError) -> Reply:
        """The 400 for a request body the package rejects; the message names the JSON path."""
        return cls._built_error(400, m.InvalidRequestErrorObject(message=str(error)))

    @classmethod
    def not_found(cls, message: str) -> Reply:
        return cls._built_error(404, m.NotFoundErrorObject(message=message))

    @classmethod
    def api_error(cls, message: str) -> Reply:
        """A 500, for a fault of the test's script (no reply queued)."""
        return cls._built_error(500, m.APIErrorObject(message=message))

    @classmethod
    def _built_error(cls, status: int, error: Any) -> Reply:
        body = m.ErrorResponse(type="error", error=error).to_json()
        return cls(status, JSON_CONTENT_TYPE, body.encode("utf-8"))

    @classmethod
    def _json(
        cls, root: Any, raw: bytes, status: int, reference: bool, strict: bool = True
    ) -> Reply:
        if reference:
            return cls(status, JSON_CONTENT_TYPE, raw)
        decoded = root.from_json(raw, strict=strict)
        return cls(status, JSON_CONTENT_TYPE, decoded.to_json().encode("utf-8"))


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server received it, and what the package made of its body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes
    decoded: Any  # the decoded body, or None when decoding failed
    error: m.DecodeError | None

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def betas(self) -> list[str]:
        """The values of the `anthropic-beta` header, in the order sent."""
        header = self.headers.get("anthropic-beta", "")
        return [value.strip() for value in header.split(",") if value.strip()]


class LoopbackServer:
    """A threaded HTTP server on a free port of 127.0.0.1; use it as a context manager."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "the server is not running"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(self, *replies: Reply) -> None:
        """Queue the answers to the next requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def take_requests(self) -> list[RecordedRequest]:
        """The requests received since the last call; also drops replies left unused."""
        with self._lock:
            taken, self.requests = self.requests, []
            self._replies.clear()
        return taken

    def __enter__(self) -> LoopbackServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="loopback-messages-api", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Decode and record one request, and pick its answer."""
        url = urlsplit(target)
        root = ENDPOINTS.get(url.path)
        decoded: Any = None
        error: m.DecodeError | None = None
        if root is not None:
            try:
                # from_json reports malformed JSON as a DecodeError too.
                decoded = root.from_json(body, strict=True)
            except m.DecodeError as caught:
                error = caught
        recorded = RecordedRequest(
            method, url.path, parse_qs(url.query), headers, body, decoded, error
        )
        with self._lock:
            self.requests.append(recorded)
            if root is None or method != "POST":
                return Reply.not_found(f"the loopback server has no {method} {url.path}")
            if error is not None:
                return Reply.decode_error(error)
            if not self._replies:
                return Reply.api_error(f"no reply was scripted for {method} {target}")
            return self._replies.popleft()


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 lets the client keep its connection; every answer has a Content-Length.
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes; with Nagle's algorithm the body would
        # wait for the client's delayed ACK (about 40 ms a request).
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self._respond()

        def do_GET(self) -> None:
            self._respond()

        def _respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = server._answer(self.command, self.path, headers, body)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("request-id", "req_loopback")
            if reply.events:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for event in reply.events:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output clean; failures show up in the client's exceptions."""

    return Handler
