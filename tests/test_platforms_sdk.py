"""What the official SDK's Vertex client really sends decodes as a Vertex body and converts back
to the first-party body the SDK was given (the SDK as a real client, on 127.0.0.1).

Bedrock's client needs botocore to sign requests, which is not a dependency here; its body is the
Vertex one without `stream`, tested through the conversions in tests/test_platforms.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anthropic
import pytest

import anthropic_messages as m

ANSWER = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "Hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 1},
}


class _Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, dict(self.headers), body))
        payload = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def vertex() -> Iterator[anthropic.AnthropicVertex]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with anthropic.AnthropicVertex(
            region="us-east5",
            project_id="project",
            access_token="token",
            base_url=f"http://127.0.0.1:{server.server_port}/v1",
            max_retries=0,
            timeout=10.0,
        ) as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


def test_the_vertex_client_body_decodes_and_converts_back(
    vertex: anthropic.AnthropicVertex,
) -> None:
    _Recorder.received.clear()
    given = {
        "model": "claude-sonnet-4-5@20250929",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    vertex.beta.messages.create(**given, betas=["context-1m-2025-08-07"])  # type: ignore[arg-type]
    ((path, headers, body),) = _Recorder.received
    sent = m.decode(m.VertexMessageCreateParams, body, strict=True)
    assert m.encode(sent) == body
    url_values, stream = m.VERTEX_MESSAGES.match_path(path)
    request, betas = m.VERTEX_MESSAGES.from_platform(
        body, url_values, stream=stream, betas=headers.get("anthropic-beta", "")
    )
    assert m.encode(request) == given
    assert betas == ["context-1m-2025-08-07"]
