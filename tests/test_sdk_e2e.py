"""The official SDK as a real client of a server built on the generated package (issue 8).

tests/loopback_server.py plays the Messages API on 127.0.0.1 with `anthropic_messages`: it
decodes every request body strictly and answers with bodies the package encoded. The SDK
(`anthropic`, a dev dependency) talks to it over HTTP, through `messages.create`,
`messages.stream`, `messages.count_tokens` and their `beta` equivalents:

- Requests: every recorded request body (tests/payloads/, see SOURCES.md) is passed to the SDK
  as keyword arguments, beta bodies with the betas they need. The SDK must send the recorded
  body, the server must decode it with `strict=True`, and the package must encode it back to
  the same JSON.
- Responses: every recorded message, stream, token count and error is served twice, once
  decoded and encoded by the package and once as recorded, to the stable and to the beta client.
  What the SDK makes of both must be equal: `model_dump()` of the result, of every event
  `messages.stream()` yields and of its final message, the events of `create(stream=True)`, or
  the exception raised. The SDK must also see every member of the recorded body (`to_dict()`).
"""

from __future__ import annotations

import base64
import copy
import http.client
import inspect
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import anthropic
import pydantic
import pytest

import anthropic_messages as m
from tests.loopback_server import LoopbackServer, RecordedRequest, Reply
from tests.support import GENERATED, PAYLOADS

# The recorded bodies name the models of their day; the SDK warns about the retired ones.
pytestmark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")

# Body members the SDK cannot take as keyword arguments, and why. They go through `extra_body`,
# which the SDK merges into the JSON body unchanged.
SDK_CANNOT_TAKE = {
    "temperature": "anthropic 2.12 has no sampling parameters (temperature, top_p, top_k) any "
    "more; the recorded clients (pydantic-ai, rig, Claude Code) still send temperature",
    "output_format": "the old structured-outputs member: the beta create() has no such "
    "parameter, and stream() has one that takes a pydantic type, not the JSON a client sends",
}

# The `anthropic-beta` header the recording shows (tests/payloads/SOURCES.md). Other beta bodies
# were recorded without headers; they get the betas the spec says the features they use need.
RECORDED_BETAS = {
    "beta/request/claude_code_0_2_107_main_turn_tools.json": [
        "claude-code-20250219",
        "oauth-2025-04-20",
    ],
    "beta/request/claude_code_0_2_107_title_haiku.json": ["oauth-2025-04-20"],
    "beta/request/claude_code_0_2_107_quota_probe.json": ["oauth-2025-04-20"],
}

# The beta client's count_tokens always adds this to the betas it is given.
SDK_COUNT_TOKENS_BETAS = ["token-counting-2024-11-01"]

# An error body from an edge proxy, not the API: its error type is unknown to the spec, so the
# package serves it with lenient decoding (kept as an UnknownErrorObject), at the 403 it came with.
PROXY_ERRORS = {"error/opencommit_issue_411_forbidden_no_envelope_type.json": 403}

# What the tests that serve responses ask for; the server ignores it and answers from its script.
PLAIN_COUNT_REQUEST: dict[str, Any] = {
    "model": "claude-haiku-4-5",
    "messages": [{"role": "user", "content": "Hello"}],
}
PLAIN_REQUEST = {**PLAIN_COUNT_REQUEST, "max_tokens": 1024}
# The answers of the request tests, whose subject is the request.
ANSWER_MESSAGE = PAYLOADS / "message" / "pydantic_ai_image_description_end_turn.json"
ANSWER_STREAM = PAYLOADS / "stream" / "docs_basic_text.json"
ANSWER_TOKENS_COUNT = PAYLOADS / "tokens_count" / "pydantic_ai_cache_count.json"


def files(*kinds: str) -> list[Path]:
    return sorted(path for kind in kinds for path in (PAYLOADS / kind).glob("*.json"))


def name_of(path: Path) -> str:
    return path.relative_to(PAYLOADS).as_posix()


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture(scope="module")
def client(server: LoopbackServer) -> Iterator[anthropic.Anthropic]:
    # A timeout of our own also keeps the SDK from refusing long non-streaming requests
    # (it estimates their duration from max_tokens when the default timeout is in use).
    with anthropic.Anthropic(
        base_url=server.url, api_key="test-key", max_retries=0, timeout=10.0
    ) as sdk:
        yield sdk


@pytest.fixture(params=["stable", "beta"])
def channel(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs with the stable client and with the beta one."""
    channel_name: str = request.param
    return channel_name


@pytest.fixture
def resource(client: anthropic.Anthropic, channel: str) -> Any:
    """`client.messages` or `client.beta.messages`."""
    return client.messages if channel == "stable" else client.beta.messages


@pytest.fixture(autouse=True)
def fresh_server(server: LoopbackServer) -> None:
    server.take_requests()


def only_request(server: LoopbackServer) -> RecordedRequest:
    requests = server.take_requests()
    assert len(requests) == 1, [request.path for request in requests]
    return requests[0]


# --- Which betas a body needs, from the spec's beta tags -----------------------------------------


@cache
def beta_schema() -> dict[str, Any]:
    definitions: dict[str, Any] = load(GENERATED / "jsonschema" / "beta.json")["$defs"]
    return definitions


def _referenced_definition(member_schema: dict[str, Any]) -> dict[str, Any]:
    """The definition a member refers to, directly or as the non-null branch of `anyOf`."""
    for branch in [member_schema, *member_schema.get("anyOf", ())]:
        if "$ref" in branch:
            definition: dict[str, Any] = beta_schema()[branch["$ref"].rsplit("/", 1)[1]]
            return definition
    return {}


def python_name(cls: type, wire_name: str) -> str:
    """The attribute of a wire member: its name, or with `_` added where that is a keyword."""
    for name in (wire_name, wire_name + "_"):
        if name in cls.__slots__:
            return name
    raise AssertionError(f"{cls.__name__} has no attribute for the member {wire_name!r}")


def beta_requirements(value: Any) -> set[tuple[str, ...]]:
    """The beta tags of the types, members and enum values a decoded body uses.

    Each requirement is a tuple of `anthropic-beta` values, any one of which enables the element.
    """
    found: set[tuple[str, ...]] = set()
    if isinstance(value, m.Model):
        definition = beta_schema().get(type(value).__name__, {})
        found.add(tuple(definition.get("x-anthropic-beta", ())))
        wire = value.to_dict()
        for member, member_schema in definition.get("properties", {}).items():
            if member not in wire:
                continue
            member_value = getattr(value, python_name(type(value), member))
            found.add(tuple(member_schema.get("x-anthropic-beta", ())))
            tagged_values = _referenced_definition(member_schema).get("x-anthropic-beta-values")
            if isinstance(member_value, str) and tagged_values:
                found.add(tuple(tagged_values.get(member_value, ())))
            found |= beta_requirements(member_value)
    elif isinstance(value, list):
        for item in value:
            found |= beta_requirements(item)
    elif isinstance(value, dict):
        for item in value.values():
            found |= beta_requirements(item)
    found.discard(())
    return found


def betas_needed(decoded: Any) -> list[str]:
    """Few betas that meet every requirement: the most constrained requirements choose first."""
    chosen: list[str] = []
    for alternatives in sorted(beta_requirements(decoded), key=lambda alts: (len(alts), alts)):
        if not set(alternatives) & set(chosen):
            chosen.append(alternatives[0])
    return chosen


# --- Requests -------------------------------------------------------------------------------------


def send(resource: Any, body: dict[str, Any], betas: list[str] | None, count: bool) -> None:
    """Send a recorded body through the SDK as keyword arguments, and read the answer."""
    body = copy.deepcopy(body)
    streaming = body.get("stream") is True
    if count:
        method = resource.count_tokens
    elif streaming:
        method = resource.stream
        del body["stream"]  # `stream()` adds it itself and has no such argument
    else:
        method = resource.create
    accepted = set(inspect.signature(method).parameters) - set(SDK_CANNOT_TAKE)
    arguments = {key: value for key, value in body.items() if key in accepted}
    extra_body = {key: value for key, value in body.items() if key not in accepted}
    unexplained = sorted(set(extra_body) - set(SDK_CANNOT_TAKE))
    assert not unexplained, f"the SDK has no parameter {unexplained}; say why in SDK_CANNOT_TAKE"
    if extra_body:
        arguments["extra_body"] = extra_body
    if betas:
        arguments["betas"] = betas
    if streaming:
        with method(**arguments) as stream:
            stream.get_final_message()
    else:
        method(**arguments)


def script_answer(server: LoopbackServer, body: dict[str, Any], count: bool) -> None:
    if count:
        server.reply(Reply.tokens_count(ANSWER_TOKENS_COUNT.read_bytes()))
    elif body.get("stream") is True:
        server.reply(Reply.stream(load(ANSWER_STREAM)))
    else:
        server.reply(Reply.message(ANSWER_MESSAGE.read_bytes()))


def check_request_round_trip(request: RecordedRequest, body: dict[str, Any]) -> None:
    assert request.error is None, f"strict decoding rejected what the SDK sent: {request.error}"
    assert request.json == body, "the SDK did not send the recorded body"
    assert m.encode(request.decoded) == request.json


STABLE_BODIES = files("request", "count_tokens")
BETA_BODIES = files("beta/request", "beta/count_tokens")


@pytest.mark.parametrize("path", STABLE_BODIES, ids=name_of)
def test_sdk_sends_stable_body_that_decodes_strictly_and_round_trips(
    server: LoopbackServer, resource: Any, path: Path, channel: str
) -> None:
    body = load(path)
    count = path.parent.name == "count_tokens"
    script_answer(server, body, count)
    send(resource, body, None, count)
    request = only_request(server)
    assert request.path == ("/v1/messages/count_tokens" if count else "/v1/messages")
    assert request.betas == (SDK_COUNT_TOKENS_BETAS if count and channel == "beta" else [])
    check_request_round_trip(request, body)


@pytest.mark.parametrize("path", BETA_BODIES, ids=name_of)
def test_sdk_beta_client_sends_beta_body_with_its_betas(
    server: LoopbackServer, client: anthropic.Anthropic, path: Path
) -> None:
    body = load(path)
    count = path.parent.name == "count_tokens"
    root = m.MessageCountTokensParams if count else m.MessageCreateParams
    recorded = RECORDED_BETAS.get(name_of(path), [])
    needed = betas_needed(m.decode(root, body, strict=True))
    betas = recorded + [beta for beta in needed if beta not in recorded]
    script_answer(server, body, count)
    send(client.beta.messages, body, betas, count)
    request = only_request(server)
    assert request.betas == betas + (SDK_COUNT_TOKENS_BETAS if count else [])
    check_request_round_trip(request, body)


def test_beta_bodies_exercise_beta_features() -> None:
    """The corpus keeps the features whose betas the spec still tags sent for real."""
    used: set[str] = set()
    for path in BETA_BODIES:
        root = m.MessageCountTokensParams if path.parent.name == "count_tokens" else None
        used.update(betas_needed(m.decode(root or m.MessageCreateParams, load(path), strict=True)))
    assert {
        "context-management-2025-06-27",
        "compact-2026-01-12",
        "mcp-client-2025-04-04",
        "advisor-tool-2026-03-01",
        "structured-outputs-2025-11-13",
    } <= used


def test_a_body_that_breaks_the_spec_gets_a_400_naming_the_json_path(
    server: LoopbackServer, client: anthropic.Anthropic
) -> None:
    invalid_block = {"role": "user", "content": [{"type": "text", "text": "hi", "colour": "red"}]}
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**{**PLAIN_REQUEST, "messages": [invalid_block]})
    request = only_request(server)
    assert request.error is not None and request.error.path == "$.messages[0].content[0].colour"
    assert caught.value.status_code == 400
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": str(request.error)},
    }
    assert "$.messages[0].content[0].colour" in caught.value.message


def test_a_wrong_type_sent_through_extra_body_gets_a_400_naming_the_json_path(
    server: LoopbackServer, client: anthropic.Anthropic
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.messages.count_tokens(
            **PLAIN_COUNT_REQUEST,
            extra_body={"tool_choice": {"type": "auto", "disable_parallel_tool_use": "yes"}},
        )
    request = only_request(server)
    assert request.path == "/v1/messages/count_tokens"
    assert request.error is not None
    assert request.error.path == "$.tool_choice.disable_parallel_tool_use"
    assert str(request.error) in caught.value.message


class Weather(pydantic.BaseModel):
    """A structured answer for `messages.parse`."""

    city: str
    celsius: float


@anthropic.beta_tool
def get_weather(city: str) -> str:
    """Tell the weather in a city."""
    return f"sunny in {city}"


def package_message(*content: Any, stop_reason: str) -> bytes:
    """The JSON text of a Message built with the package's own classes."""
    usage = m.Usage(input_tokens=12, output_tokens=5)
    message = m.Message(
        id="msg_loopback",
        content=list(content),
        model="claude-haiku-4-5",
        stop_reason=stop_reason,
        stop_sequence=None,
        usage=usage,
    )
    return message.to_json().encode("utf-8")


def check_built_request(request: RecordedRequest) -> Any:
    """A body the SDK built itself must decode strictly and encode back unchanged."""
    assert request.error is None, f"strict decoding rejected what the SDK built: {request.error}"
    assert m.encode(request.decoded) == request.json
    return request.decoded


def test_sdk_parse_builds_an_output_format_the_package_decodes(
    server: LoopbackServer, resource: Any
) -> None:
    answer = m.TextBlock(text='{"city": "Paris", "celsius": 21.5}')
    server.reply(Reply.message(package_message(answer, stop_reason="end_turn")))
    parsed = resource.parse(**PLAIN_REQUEST, output_format=Weather)
    assert parsed.parsed_output == Weather(city="Paris", celsius=21.5)
    output_format = check_built_request(only_request(server)).output_config.format
    assert isinstance(output_format, m.JSONOutputFormatParam)
    assert output_format.schema["required"] == ["city", "celsius"]


def test_sdk_sends_a_file_as_base64_the_package_decodes(
    server: LoopbackServer, client: anthropic.Anthropic, tmp_path: Path
) -> None:
    image = tmp_path / "pixel.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n-not-a-real-image-")
    source = {"type": "base64", "media_type": "image/png", "data": image}
    server.reply(Reply.message(ANSWER_MESSAGE.read_bytes()))
    client.messages.create(
        **{
            **PLAIN_REQUEST,
            "messages": [{"role": "user", "content": [{"type": "image", "source": source}]}],
        }
    )
    (block,) = check_built_request(only_request(server)).messages[0].content
    assert isinstance(block, m.ImageBlockParam)
    assert isinstance(block.source, m.Base64ImageSourceParam)
    assert base64.b64decode(block.source.data) == image.read_bytes()


def test_sdk_tool_runner_turns_decode_strictly(
    server: LoopbackServer, client: anthropic.Anthropic
) -> None:
    """The runner builds the tool definition and the tool_result turn itself."""
    call = m.ToolUseBlock(id="toolu_01", name="get_weather", input={"city": "Paris"})
    server.reply(
        Reply.message(package_message(call, stop_reason="tool_use")),
        Reply.message(package_message(m.TextBlock(text="Sunny."), stop_reason="end_turn")),
    )
    runner = client.beta.messages.tool_runner(**PLAIN_REQUEST, tools=[get_weather])
    assert runner.until_done().content[0].text == "Sunny."
    first, second = (check_built_request(request) for request in server.take_requests())
    assert [tool.name for tool in first.tools] == ["get_weather"]
    (result,) = second.messages[-1].content
    assert isinstance(result, m.ToolResultBlockParam)
    assert (result.tool_use_id, result.content) == ("toolu_01", "sunny in Paris")


def post(server: LoopbackServer, target: str, body: Any) -> tuple[int, Any]:
    """POST a JSON body with the standard library; the status and the parsed answer."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", target, json.dumps(body))
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_beta_query_of_older_sdks_reaches_the_same_endpoint(server: LoopbackServer) -> None:
    """Older SDKs call `/v1/messages?beta=true` from the beta client (pydantic-ai's recordings
    show it, see SOURCES.md); anthropic 2.12 sends the same path without the query."""
    server.reply(Reply.message(ANSWER_MESSAGE.read_bytes()))
    assert post(server, "/v1/messages?beta=true", PLAIN_REQUEST) == (200, load(ANSWER_MESSAGE))
    request = only_request(server)
    assert request.query == {"beta": ["true"]}
    assert m.encode(request.decoded) == PLAIN_REQUEST


def test_the_server_answers_unknown_paths_and_unscripted_requests_with_api_errors(
    server: LoopbackServer,
) -> None:
    status, answer = post(server, "/v1/models", {})
    assert (status, answer["error"]["type"]) == (404, "not_found_error")
    assert "/v1/models" in answer["error"]["message"]
    status, answer = post(server, "/v1/messages", PLAIN_REQUEST)
    assert (status, answer["error"]["type"]) == (500, "api_error")
    assert "no reply was scripted" in answer["error"]["message"]
    assert [request.path for request in server.take_requests()] == ["/v1/models", "/v1/messages"]


# --- Responses ------------------------------------------------------------------------------------


def dump(model: Any) -> Any:
    """`model_dump()` of an SDK object.

    The stable SDK types hold a beta block in whichever variant they find closest; dumping such
    an object makes pydantic warn, which is noise here.
    """
    return model.model_dump(warnings=False)


def error_view(error: anthropic.APIStatusError) -> dict[str, Any]:
    return {
        "raised": type(error).__name__,
        "status": error.status_code,
        "body": error.body,
        # The SDK quotes the parsed body in the message, keys in the order they came, which the
        # package keeps when it sends a body again (see the test at the end).
        "message": error.message.replace(str(error.body), "{body}"),
    }


def outcome(call: Callable[[], Any]) -> Any:
    """What the SDK made of an answer: the value `call` returns, or the API error it raised."""
    try:
        return call()
    except anthropic.APIStatusError as error:
        return error_view(error)


def both_ways(
    server: LoopbackServer, make_reply: Callable[..., Reply], sdk_view: Callable[[], Any]
) -> tuple[Any, Any]:
    """The SDK's view of the package-encoded answer, then of the recorded one."""
    server.reply(make_reply(reference=False), make_reply(reference=True))
    served, recorded = outcome(sdk_view), outcome(sdk_view)
    assert len(server.take_requests()) == 2
    return served, recorded


@pytest.mark.parametrize("path", files("message", "beta/message"), ids=name_of)
def test_sdk_reads_the_package_encoded_message_like_the_recorded_one(
    server: LoopbackServer, resource: Any, path: Path, channel: str
) -> None:
    raw = path.read_bytes()
    served, recorded = both_ways(
        server,
        lambda reference: Reply.message(raw, reference=reference),
        lambda: resource.create(**PLAIN_REQUEST),
    )
    assert type(served) is type(recorded)
    assert dump(served) == dump(recorded)
    if channel == "beta":
        # The beta types model the beta members (context_management, container, iterations...).
        assert type(served).__name__ == "BetaMessage"
        assert not served.model_extra and not served.usage.model_extra
    # Nothing of the body is lost on the way to the SDK, unknown members included.
    assert served.to_dict(mode="json", warnings=False) == load(path)


def read_stream(resource: Any) -> dict[str, Any]:
    """Every event `messages.stream()` yields, then the final message (or the error raised)."""
    events: list[Any] = []
    try:
        with resource.stream(**PLAIN_REQUEST) as stream:
            for event in stream:
                # Dumped at once: the SDK grows its snapshot in place as later events arrive.
                events.append(dump(event))
            return {"events": events, "final": dump(stream.get_final_message())}
    except anthropic.APIStatusError as error:
        return {"events": events, "final": error_view(error)}


def read_raw_stream(resource: Any) -> dict[str, Any]:
    """The events of `create(stream=True)` as the SDK parsed them, and the error raised if any."""
    events: list[Any] = []
    try:
        for event in resource.create(**PLAIN_REQUEST, stream=True):
            events.append(event.to_dict(mode="json", warnings=False))
    except anthropic.APIStatusError as error:
        return {"events": events, "error": error_view(error)}
    return {"events": events, "error": None}


@pytest.mark.parametrize("path", files("stream", "beta/stream"), ids=name_of)
def test_sdk_reads_the_package_encoded_stream_like_the_recorded_one(
    server: LoopbackServer, resource: Any, path: Path
) -> None:
    events = load(path)
    served, recorded = both_ways(
        server,
        lambda reference: Reply.stream(events, reference=reference),
        lambda: read_stream(resource),
    )
    assert served == recorded
    # An `error` event ends the stream with an exception; otherwise there is a final message.
    assert ("raised" in served["final"]) == any(event["type"] == "error" for event in events)

    served_raw, recorded_raw = both_ways(
        server,
        lambda reference: Reply.stream(events, reference=reference),
        lambda: read_raw_stream(resource),
    )
    assert served_raw == recorded_raw
    # The SDK skips pings and stops at an error; it gets every other event whole.
    before_error = events[: next((i for i, e in enumerate(events) if e["type"] == "error"), None)]
    assert served_raw["events"] == [event for event in before_error if event["type"] != "ping"]


@pytest.mark.parametrize("path", files("tokens_count", "beta/tokens_count"), ids=name_of)
def test_sdk_reads_the_package_encoded_token_count_like_the_recorded_one(
    server: LoopbackServer, resource: Any, path: Path
) -> None:
    raw = path.read_bytes()
    served, recorded = both_ways(
        server,
        lambda reference: Reply.tokens_count(raw, reference=reference),
        lambda: dump(resource.count_tokens(**PLAIN_COUNT_REQUEST)),
    )
    assert served == recorded
    assert served["input_tokens"] == load(path)["input_tokens"]


@pytest.mark.parametrize("path", files("error", "beta/error"), ids=name_of)
def test_sdk_raises_the_same_error_for_the_package_encoded_body(
    server: LoopbackServer, resource: Any, path: Path
) -> None:
    raw = path.read_bytes()
    status = PROXY_ERRORS.get(name_of(path))
    served, recorded = both_ways(
        server,
        lambda reference: Reply.error(
            raw, status=status, reference=reference, strict=status is None
        ),
        lambda: resource.create(**PLAIN_REQUEST),
    )
    assert served == recorded
    assert served["body"] == load(path)


def test_sdk_error_message_quotes_the_body_in_the_order_the_api_wrote_it(
    server: LoopbackServer, client: anthropic.Anthropic
) -> None:
    raw = (PAYLOADS / "error" / "claude_code_issue_17848_permission_error_403.json").read_bytes()
    messages = []
    for reference in (False, True):
        server.reply(Reply.error(raw, reference=reference))
        with pytest.raises(anthropic.PermissionDeniedError) as caught:
            client.messages.create(**PLAIN_REQUEST)
        messages.append(caught.value.message)
    assert messages[0] == messages[1]
