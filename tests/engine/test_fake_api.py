"""The fake Messages API server, exercised with the real `anthropic.AsyncAnthropic` client."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types import Message

from tests.support.fake_api import (
    FakeAnthropic,
    RecordedRequest,
    Usage,
    cassette_requests,
    cassette_turns,
    complete_block,
    disconnect,
    drop_midstream,
    end_early,
    error_event,
    http_error,
    paced,
    parse_sse,
    raw_sse,
    refusal_turn,
    server_tool_use_block,
    split_events,
    stall,
    text_block,
    text_turn,
    thinking_turn,
    tool_turn,
    tool_use_block,
    turn,
    web_search_citation,
    web_search_result_block,
)
from tests.support.fake_api import fake_api as fake_api
from tests.support.shared import SHARED, shared_path

MODEL = "claude-sonnet-5-5"
HI: list[Any] = [{"role": "user", "content": "hi"}]
CONFORMANCE = ("conformance", "anthropic")


@pytest.fixture(autouse=True)
def _no_developer_anthropic_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep a developer's ANTHROPIC_* settings (custom headers, profiles) and proxies (the SDK
    would send even 127.0.0.1 traffic through them) out of these tests."""
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_CUSTOM_HEADERS",
        "ANTHROPIC_PROFILE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path_factory.mktemp("anthropic-config")))


async def final_message(
    client: anthropic.AsyncAnthropic, messages: list[Any] | None = None, **kw: Any
) -> Message:
    async with client.messages.stream(
        model=MODEL, max_tokens=1024, messages=messages or HI, **kw
    ) as stream:
        return await stream.get_final_message()


# --------------------------------------------------------------------------- happy paths


async def test_text_turn_streams_text_and_stop_reason(fake_api: FakeAnthropic) -> None:
    fake_api.script(text_turn("Hello there, world!", chunks=4, usage=Usage(input_tokens=321)))
    client = fake_api.client()
    texts: list[str] = []
    async with client.messages.stream(model=MODEL, max_tokens=1024, messages=HI) as stream:
        async for event in stream:
            if event.type == "text":
                texts.append(event.text)
        final = await stream.get_final_message()
        request_id = stream.request_id

    assert texts == ["Hello", " ther", "e, wo", "rld!"]
    assert final.content[0].type == "text"
    assert final.content[0].text == "Hello there, world!"
    assert final.stop_reason == "end_turn"
    assert final.model == MODEL  # echoes the request's model
    assert final.usage.input_tokens == 321
    assert final.usage.output_tokens > 1  # message_delta's total replaced message_start's 1
    [request] = fake_api.requests
    assert (request.method, request.path, request.stream) == ("POST", "/v1/messages", True)
    assert request.json["messages"] == HI
    assert request_id == request.request_id
    assert request.request_id.startswith("req_")


async def test_wire_format_events_pings_and_headers(fake_api: FakeAnthropic) -> None:
    scripted = text_turn("abc", chunks=3)
    fake_api.script(scripted)
    async with httpx2.AsyncClient(base_url=fake_api.base_url) as http:
        body = {"model": MODEL, "max_tokens": 5, "messages": HI, "stream": True}
        response = await http.post("/v1/messages", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.headers["request-id"].startswith("req_")
    assert response.content == scripted.sse(MODEL)
    for segment in split_events(response.content):
        lines = segment.decode().split("\n")
        assert lines[0].startswith("event: ") and lines[1].startswith("data: ")
        assert segment.endswith(b"\n\n")
    events = parse_sse(response.content)
    assert all(e.event == e.json()["type"] for e in events)
    names = [e.event for e in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert [n for n in names if n != "ping"][-2:] == ["message_delta", "message_stop"]


async def test_tool_turn_ids_inputs_and_tool_result_round_trip(fake_api: FakeAnthropic) -> None:
    calls = (
        ("Read", {"file_path": "src/app.py", "limit": 200}),
        ("Glob", {"pattern": "**/*.py", "path": "/tmp/x"}),
    )
    scripted = tool_turn(*calls, text="Let me look.", chunk_size=5)
    fake_api.script(scripted, text_turn("Done."))
    assert len(scripted.tool_ids) == 2
    assert all(re.fullmatch(r"toolu_01[A-Za-z0-9]{22}", i) for i in scripted.tool_ids)

    deltas = [
        e.json()["delta"]["partial_json"]
        for e in parse_sse(scripted.sse())
        if e.event == "content_block_delta" and e.json()["delta"]["type"] == "input_json_delta"
    ]
    assert deltas[0] == "" and len(deltas) > 6

    client = fake_api.client()
    final = await final_message(client)
    assert final.stop_reason == "tool_use"
    assert [b.type for b in final.content] == ["text", "tool_use", "tool_use"]
    uses = [b for b in final.content if b.type == "tool_use"]
    assert [(u.id, u.name, u.input) for u in uses] == [
        (scripted.tool_ids[0], "Read", calls[0][1]),
        (scripted.tool_ids[1], "Glob", calls[1][1]),
    ]

    results = [{"type": "tool_result", "tool_use_id": u.id, "content": "ok"} for u in uses]
    history = [*HI, final.to_param(), {"role": "user", "content": results}]
    await final_message(client, history)
    assert fake_api.requests[1].tool_result_ids() == scripted.tool_ids


async def test_request_headers_recorded(fake_api: FakeAnthropic) -> None:
    fake_api.script(text_turn("hi"))
    await final_message(fake_api.client())
    headers = fake_api.requests[0].headers
    assert headers["authorization"] == "Bearer test-key"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", headers["anthropic-version"])
    assert headers["content-type"] == "application/json"
    assert headers["x-stainless-retry-count"] == "0"
    assert "x-api-key" not in headers


async def test_thinking_turn(fake_api: FakeAnthropic) -> None:
    fake_api.script(thinking_turn("Consider the options.", "Answer.", signature="sig-123"))
    client = fake_api.client()
    thoughts: list[str] = []
    async with client.messages.stream(model=MODEL, max_tokens=1024, messages=HI) as stream:
        async for event in stream:
            if event.type == "thinking":
                thoughts.append(event.thinking)
        final = await stream.get_final_message()
    assert "".join(thoughts) == "Consider the options."
    thinking, text = final.content
    assert thinking.type == "thinking"
    assert (thinking.thinking, thinking.signature) == ("Consider the options.", "sig-123")
    assert text.type == "text" and text.text == "Answer."


async def test_server_tools_citations_and_usage(fake_api: FakeAnthropic) -> None:
    search = server_tool_use_block("web_search", {"query": "weather in Paris"})
    search_id = str(search.start["id"])
    citation = web_search_citation("https://example.com/w", "Weather", "Sunny, 21°C")
    scripted = turn(
        search,
        web_search_result_block(search_id, [{"title": "Weather", "url": "https://example.com/w"}]),
        text_block("It is sunny.", citations=[citation]),
        usage=Usage(input_tokens=2000, output_tokens=77, web_search_requests=1),
    )
    fake_api.script(scripted)
    final = await final_message(fake_api.client())
    use, result, text = final.content
    assert use.type == "server_tool_use"
    assert (use.id, use.input) == (search_id, {"query": "weather in Paris"})
    assert result.type == "web_search_tool_result"
    assert result.tool_use_id == search_id
    assert isinstance(result.content, list)
    assert result.content[0].url == "https://example.com/w"
    assert text.type == "text" and text.text == "It is sunny."
    assert text.citations is not None and text.citations[0].cited_text == "Sunny, 21°C"
    assert final.usage.output_tokens == 77
    assert final.usage.server_tool_use is not None
    assert final.usage.server_tool_use.web_search_requests == 1


@pytest.mark.parametrize(
    "stop_reason", ["max_tokens", "pause_turn", "model_context_window_exceeded", "end_turn"]
)
async def test_explicit_stop_reasons(fake_api: FakeAnthropic, stop_reason: str) -> None:
    fake_api.script(
        turn(
            text_block("partial answer"),
            complete_block({"type": "text", "text": "!"}),
            stop_reason=stop_reason,
        )
    )
    final = await final_message(fake_api.client())
    assert final.stop_reason == stop_reason
    assert [b.type for b in final.content] == ["text", "text"]


async def test_max_tokens_cuts_tool_input(fake_api: FakeAnthropic) -> None:
    cut = tool_use_block("Write", {"file_path": "a.txt", "content": "x" * 40}, chunk_size=8).cut(4)
    fake_api.script(turn(cut, stop_reason="max_tokens"))
    final = await final_message(fake_api.client())
    assert final.stop_reason == "max_tokens"
    assert final.content[0].type == "tool_use"
    assert final.content[0].input == {"file_path": "a.txt"}  # the parseable prefix


async def test_refusal_stop_details(fake_api: FakeAnthropic) -> None:
    fake_api.script(refusal_turn(category="cyber", explanation="Refused."))
    final = await final_message(fake_api.client())
    assert final.stop_reason == "refusal"
    assert final.stop_details is not None
    assert (final.stop_details.category, final.stop_details.explanation) == ("cyber", "Refused.")


async def test_non_streaming_request_gets_json_message(fake_api: FakeAnthropic) -> None:
    scripted = tool_turn(("Read", {"file_path": "x"}), text="Reading.")
    fake_api.script(scripted)
    client = fake_api.client()
    raw = await client.messages.with_raw_response.create(model=MODEL, max_tokens=1024, messages=HI)
    assert raw.headers["content-type"] == "application/json"
    message = await raw.parse()
    assert fake_api.requests[0].stream is False
    assert message.stop_reason == "tool_use"
    assert message.content[1].type == "tool_use"
    assert message.content[1].id == scripted.tool_ids[0]
    assert message.content[1].input == {"file_path": "x"}


async def test_count_tokens(fake_api: FakeAnthropic) -> None:
    client = fake_api.client()
    assert (await client.messages.count_tokens(model=MODEL, messages=HI)).input_tokens == 42
    fake_api.token_count = 1234
    assert (await client.messages.count_tokens(model=MODEL, messages=HI)).input_tokens == 1234
    fake_api.script_count_tokens(7, http_error(400, message="bad"))
    assert (await client.messages.count_tokens(model=MODEL, messages=HI)).input_tokens == 7
    with pytest.raises(anthropic.BadRequestError):
        await client.messages.count_tokens(model=MODEL, messages=HI)
    assert [r.path for r in fake_api.requests] == ["/v1/messages/count_tokens"] * 4
    assert fake_api.requests[0].json["messages"] == HI
    assert fake_api.message_requests == []


async def test_callable_script_item_sees_the_request(fake_api: FakeAnthropic) -> None:
    def echo(request: RecordedRequest) -> Any:
        return text_turn(f"you said {request.messages[-1]['content']}")

    fake_api.script(echo)
    final = await final_message(fake_api.client())
    assert final.content[0].type == "text" and final.content[0].text == "you said hi"


@pytest.mark.parametrize("keep_alive", [True, False])
async def test_sequential_requests_and_connections(keep_alive: bool) -> None:
    async with FakeAnthropic(keep_alive=keep_alive) as server:
        server.script(text_turn("one"), tool_turn(("Read", {"file_path": "x"})), text_turn("3"))
        client = server.client()
        stops = [(await final_message(client)).stop_reason for _ in range(3)]
        assert stops == ["end_turn", "tool_use", "end_turn"]
        assert server.connections == (1 if keep_alive else 3)
        server.verify()


async def test_paced_fragmented_multibyte_stream(fake_api: FakeAnthropic) -> None:
    text = "héllo wörld ✓ 日本語 🎉"
    fake_api.script(paced(text_turn(text, chunks=5), delay=0.001, fragment=3))
    final = await final_message(fake_api.client())
    assert final.content[0].type == "text" and final.content[0].text == text


# --------------------------------------------------------------------------- faults


async def test_http_529_is_overloaded_error_with_retry_headers(fake_api: FakeAnthropic) -> None:
    fake_api.script(http_error(529, retry_after=0.01, retry_after_ms=10, should_retry=True))
    with pytest.raises(anthropic.OverloadedError) as caught:
        await final_message(fake_api.client())
    err = caught.value
    assert isinstance(err, anthropic.InternalServerError)
    assert err.status_code == 529
    assert err.type == "overloaded_error"
    assert err.response.headers["retry-after"] == "0.01"
    assert err.response.headers["retry-after-ms"] == "10"
    assert err.response.headers["x-should-retry"] == "true"
    assert err.request_id == fake_api.requests[0].request_id


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
    ],
)
async def test_http_errors_map_to_sdk_classes(
    fake_api: FakeAnthropic, status: int, error_class: type[Exception], error_type: str
) -> None:
    fake_api.script(http_error(status))
    with pytest.raises(error_class) as caught:
        await final_message(fake_api.client())
    assert isinstance(caught.value, anthropic.APIStatusError)
    assert (caught.value.status_code, caught.value.type) == (status, error_type)


async def test_fault_then_success_with_sdk_retries(fake_api: FakeAnthropic) -> None:
    fake_api.script(
        http_error(529, retry_after_ms=1), http_error(429, retry_after=0.001), text_turn("ok")
    )
    final = await final_message(fake_api.client(max_retries=2))
    assert final.content[0].type == "text" and final.content[0].text == "ok"
    assert [r.headers["x-stainless-retry-count"] for r in fake_api.requests] == ["0", "1", "2"]


async def test_should_retry_false_stops_sdk_retries(fake_api: FakeAnthropic) -> None:
    fake_api.script(http_error(529, should_retry=False))
    with pytest.raises(anthropic.OverloadedError):
        await final_message(fake_api.client(max_retries=2))
    assert len(fake_api.requests) == 1


async def test_drop_midstream_raises_remote_protocol_error(fake_api: FakeAnthropic) -> None:
    # events: message_start, content_block_start, two text deltas -> "Hello"
    fake_api.script(drop_midstream(text_turn("Hello world", chunks=4), after_events=4))
    client = fake_api.client()
    texts: list[str] = []
    with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
        async with client.messages.stream(model=MODEL, max_tokens=1024, messages=HI) as stream:
            async for event in stream:
                if event.type == "text":
                    texts.append(event.text)
    assert "".join(texts) == "Hello "
    assert not issubclass(httpx2.RemoteProtocolError, anthropic.APIError)


async def test_end_early_gives_partial_message_without_stop_reason(
    fake_api: FakeAnthropic,
) -> None:
    fake_api.script(end_early(text_turn("Hello world", chunks=4), after_events=4))
    final = await final_message(fake_api.client())
    assert final.stop_reason is None
    assert final.content[0].type == "text" and final.content[0].text == "Hello "


async def test_error_event_raises_api_status_error_200(fake_api: FakeAnthropic) -> None:
    fake_api.script(error_event(text_turn("Hello world"), after_events=3))
    with pytest.raises(anthropic.APIStatusError) as caught:
        await final_message(fake_api.client(max_retries=2))
    err = caught.value
    assert type(err) is anthropic.APIStatusError  # not OverloadedError / InternalServerError
    assert err.status_code == 200
    assert err.type == "overloaded_error"
    assert err.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    assert len(fake_api.requests) == 1  # never retried


async def test_stall_longer_than_read_timeout_raises_read_timeout(
    fake_api: FakeAnthropic,
) -> None:
    fake_api.script(stall(text_turn("slow"), after_events=2, seconds=5))
    client = fake_api.client(timeout=httpx2.Timeout(0.1))
    started = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout):
        await final_message(client)
    assert time.monotonic() - started < 3  # the fixture's teardown cancels the stalled send


async def test_short_stall_then_the_rest(fake_api: FakeAnthropic) -> None:
    fake_api.script(stall(text_turn("slow but fine"), after_events=3, seconds=0.05))
    final = await final_message(fake_api.client())
    assert final.content[0].type == "text" and final.content[0].text == "slow but fine"
    assert final.stop_reason == "end_turn"


async def test_disconnect_is_connection_error(fake_api: FakeAnthropic) -> None:
    fake_api.script(disconnect())
    with pytest.raises(anthropic.APIConnectionError):
        await final_message(fake_api.client())


INLINE_SSE = (
    "event: message_start\r\n"
    'data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",'
    '"model":"m","content":[],"stop_reason":null,"stop_sequence":null,'
    '"usage":{"input_tokens":3,"output_tokens":1}}}\r\n\r\n'
    "event: content_block_start\r\n"
    'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'
    "\r\n\r\n"
    'event: ping\r\ndata: {"type": "ping"}\r\n\r\n'
    "event: content_block_delta\r\n"
    'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}'
    "\r\n\r\n"
    'event: content_block_stop\r\ndata: {"type":"content_block_stop","index":0}\r\n\r\n'
    "event: message_delta\r\n"
    'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
    '"usage":{"output_tokens":2}}\r\n\r\n'
    'event: message_stop\r\ndata: {"type":"message_stop"}'
)


async def test_raw_text_with_crlf_and_faults_on_raw_bodies(fake_api: FakeAnthropic) -> None:
    recorded = raw_sse(INLINE_SSE)
    assert len(split_events(recorded.body)) == 7
    fake_api.script(recorded, end_early(recorded, after_events=3), drop_midstream(recorded, 2))
    client = fake_api.client()
    final = await final_message(client)
    assert (final.content[0].type, final.stop_reason) == ("text", "end_turn")
    partial = await final_message(client)
    assert partial.stop_reason is None
    assert partial.content[0].type == "text" and partial.content[0].text == "Hi"
    with pytest.raises(httpx2.RemoteProtocolError):
        await final_message(client)


async def test_fault_offsets_are_validated() -> None:
    with pytest.raises(ValueError, match="after_events=99"):
        drop_midstream(text_turn("x"), after_events=99)


async def test_stream_fault_on_non_streaming_request_is_reported(fake_api: FakeAnthropic) -> None:
    fake_api.script(end_early(text_turn("x"), after_events=2))
    with pytest.raises(anthropic.InternalServerError):
        await fake_api.client().messages.create(model=MODEL, max_tokens=5, messages=HI)
    assert len(fake_api.unexpected) == 1 and "not streaming" in fake_api.unexpected[0]
    fake_api.unexpected.clear()


async def test_exhausted_script_is_a_clear_500(fake_api: FakeAnthropic) -> None:
    fake_api.script(text_turn("only one"))
    client = fake_api.client(max_retries=2)
    await final_message(client)
    with pytest.raises(anthropic.InternalServerError, match="script exhausted") as caught:
        await final_message(client)
    assert caught.value.status_code == 500
    assert len(fake_api.requests) == 2  # x-should-retry: false, so no SDK retries
    assert fake_api.unexpected == [
        "FakeAnthropic script exhausted: no scripted response for request #2 POST /v1/messages"
    ]
    with pytest.raises(AssertionError, match="script exhausted"):
        fake_api.verify()
    fake_api.unexpected.clear()


async def test_unknown_endpoint_is_404_and_unexpected(fake_api: FakeAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError):
        await fake_api.client().models.list()
    assert fake_api.requests[0].method == "GET"
    assert len(fake_api.unexpected) == 1
    fake_api.unexpected.clear()


async def test_verify_reports_unused_script() -> None:
    async with FakeAnthropic() as server:
        server.script(text_turn("never asked"))
        with pytest.raises(AssertionError, match="never requested"):
            server.verify()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.base_url


# --------------------------------------------------------------------------- recordings


def _recordings(pattern: str) -> list[str]:
    folder = SHARED.joinpath(*CONFORMANCE)
    names = sorted(p.name for p in folder.glob(pattern)) if folder.is_dir() else []
    return names or [pattern]


def _recording(name: str) -> Path:
    return shared_path(*CONFORMANCE, name)  # skips when the shared folder is absent


def _expected(body: bytes) -> tuple[str | None, int]:
    """(stop_reason, number of content blocks) announced by a raw SSE body."""
    events = [e.json() for e in parse_sse(body) if e.event not in (None, "ping")]
    stops = [e["delta"]["stop_reason"] for e in events if e["type"] == "message_delta"]
    starts = sum(1 for e in events if e["type"] == "content_block_start")
    return (stops[-1] if stops else None), starts


@pytest.mark.parametrize("name", _recordings("*.sse"))
async def test_recorded_sse_replays_byte_for_byte(fake_api: FakeAnthropic, name: str) -> None:
    recorded = raw_sse(_recording(name))
    fake_api.script(recorded, recorded)
    async with httpx2.AsyncClient(base_url=fake_api.base_url) as http:
        response = await http.post("/v1/messages", json={"stream": True, "messages": HI})
    assert response.content == _recording(name).read_bytes()

    final = await final_message(fake_api.client())
    stop_reason, blocks = _expected(recorded.body)
    assert final.stop_reason == stop_reason
    assert len(final.content) == blocks


@pytest.mark.parametrize("name", _recordings("pydantic_vcr_stream_*.yaml"))
async def test_cassette_stream_bodies_replay(fake_api: FakeAnthropic, name: str) -> None:
    turns = cassette_turns(_recording(name))
    assert turns and all(t.is_sse for t in turns)
    fake_api.script(*turns)
    for recorded in turns:
        final = await final_message(fake_api.client())
        stop_reason, blocks = _expected(recorded.body)
        assert final.stop_reason == stop_reason
        assert len(final.content) == blocks


async def test_cassette_non_stream_tool_use_and_results() -> None:
    path = _recording("pydantic_vcr_parallel_tool_use_and_results.yaml")
    first, second = cassette_turns(path)
    requests = cassette_requests(path)
    async with FakeAnthropic() as server:
        server.script(first, second)
        client = server.client()
        message = await client.messages.create(**requests[0]["body"])
        ids = [b.id for b in message.content if b.type == "tool_use"]
        assert len(ids) == 4 and message.stop_reason == "tool_use"
        await client.messages.create(**requests[1]["body"])
        assert server.requests[1].tool_result_ids() == ids
        assert json.loads(first.body)["content"][1]["id"] == ids[0]
        server.verify()


async def test_cassette_error_body_replays_as_status_error(fake_api: FakeAnthropic) -> None:
    [recorded] = cassette_turns(_recording("pydantic_vcr_404_error_body.yaml"))
    fake_api.script_count_tokens(recorded)
    with pytest.raises(anthropic.NotFoundError) as caught:
        await fake_api.client().messages.count_tokens(model="claude-does-not-exist", messages=HI)
    assert caught.value.type == "not_found_error"
