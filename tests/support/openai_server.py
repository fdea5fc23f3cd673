"""A real OpenAI-protocol HTTP server on 127.0.0.1 for tests.

The official ``openai`` SDK (3.57.0, on ``httpx2``) talks to it over real HTTP/1.1 with
keep-alive, so everything between the product and the wire is the real thing: status
codes, the ``{"error": {"message", "type", "param", "code"}}`` body, ``x-request-id`` and
``x-ratelimit-*`` headers, and Server-Sent Events streamed with chunked transfer encoding
(each event is flushed as its own chunk, so the client sees the first token before the
server has written the last one).

Usage::

    with OpenAIServer() as server:
        client = openai.OpenAI(api_key="sk-test-1234", base_url=server.base_url, max_retries=0)
        server.script(Reply("Hi!"), insufficient_quota())
        ...
        server.chat_requests()[0].body["messages"]

Scripting rules
---------------
* ``script(*responses)`` queues responses for the next ``POST .../chat/completions``
  requests, one per request, first in first out; when the queue is empty the server answers
  with ``Reply(server.reply)``. ``script_models`` does the same for ``GET .../models``.
* The SDK retries 408/409/429/>=500 and connection errors twice by default, and **every
  retry is a new request that consumes the next scripted response** (or gets the default
  reply). Use ``max_retries=0`` or script the error once per expected attempt.
* ``valid_keys`` is checked before the queue: a rejected key gets a 401 ``invalid_api_key``
  and does not consume a scripted response. It applies to every endpoint.
* Every request is recorded (``server.requests``) before anything is answered.
* Next, a JSON body POSTed to /chat/completions (or /responses) is checked against OpenAI's
  official OpenAPI spec (tests/support/spec_check.py): a violation is recorded in
  ``spec_violations`` (tests/conftest.py fails the test on any) and answered with the API's 400.
  ``spec_exempt`` names top-level parameters a test sends off-spec on purpose.
* Today's model rules are checked next, also before the queue (a refused request does not
  consume a scripted response), as the API validates a request before answering it:
  a model in ``retired`` gets 404 ``model_not_found`` "has been deprecated"; a reasoning
  model (o-series, gpt-5 and later, except ``*-chat-latest``) refuses ``max_tokens`` and any
  temperature but 1 with the API's exact bodies; a parameter in ``refuse_params`` is refused
  the way a gateway does (``refuse("max_completion_tokens", style="azure")``). Set
  ``strict = False`` to turn the model rules off (``refuse`` still applies).

What the SDK does with the stream failures (measured against this server, openai 3.57.0)
------------------------------------------------------------------------------------------
* ``StreamError`` (a ``data: {"error": {...}}`` event after some content): the content
  chunks are yielded first, then iterating raises a plain ``openai.APIError`` -- not an
  ``APIStatusError`` (the HTTP status was 200), so it has no ``status_code``; ``e.body`` is
  the inner error dict and ``e.message``/``e.code``/``e.type`` come from it.
* ``StreamDrop`` (the connection closes mid-body without ``[DONE]`` and without the
  terminating zero-length chunk): the content chunks that arrived are yielded first (none
  with a ``finish_reason``), then iterating raises ``openai.APIConnectionError``
  ("Connection error.", caused by httpx2's ``RemoteProtocolError``: incomplete chunked
  read). It does NOT end quietly, and it is not retried (retries only cover the request
  until response headers arrive).
* ``Hang`` longer than the client's timeout: ``openai.APITimeoutError`` (a subclass of
  ``APIConnectionError``).
* A closed port: ``openai.APIConnectionError``.
"""

from __future__ import annotations

import http.server
import itertools
import json
import socket
import threading
import time
from typing import Any, Iterable

from tests.support import responses_wire, spec_check

# The canned failures and the response types live in their own modules; they are re-exported here
# because the tests import them from this one.
from tests.support.canned_failures import (
    BILLING_CODES,
    _err,
    bad_request,
    billing_error,
    context_length_exceeded,
    html_gateway,
    insufficient_quota,
    invalid_api_key,
    invalid_organization,
    ip_not_authorized,
    mask_key,
    mismatched_organization,
    missing_api_key,
    model_deprecated,
    model_not_found,
    no_organization,
    overloaded,
    rate_limit,
    region_not_supported,
    server_error,
    server_is_overloaded,
    slow_down,
    stream_server_error,
    unrecognized_argument,
    unsupported_max_tokens,
    unsupported_temperature,
)
from tests.support.server_types import (
    REQUEST_ID_PLACEHOLDER,
    Error,
    Events,
    Hang,
    Recorded,
    Reply,
    StreamDrop,
    StreamError,
)

__all__ = [
    "OpenAIServer",
    "Recorded",
    "Reply",
    "Error",
    "StreamError",
    "StreamDrop",
    "Hang",
    "Events",
    "mask_key",
    "invalid_api_key",
    "missing_api_key",
    "invalid_organization",
    "mismatched_organization",
    "no_organization",
    "model_not_found",
    "rate_limit",
    "insufficient_quota",
    "overloaded",
    "server_is_overloaded",
    "slow_down",
    "server_error",
    "context_length_exceeded",
    "region_not_supported",
    "bad_request",
    "html_gateway",
    "stream_server_error",
    "DEFAULT_MODELS",
    "DEFAULT_REPLY",
    "RETIRED_MODELS",
    "model_deprecated",
    "unsupported_max_tokens",
    "unsupported_temperature",
    "unrecognized_argument",
    "billing_error",
    "BILLING_CODES",
    "ip_not_authorized",
    "is_reasoning_model",
]

# An account's /models list today (late 2026): chat models, and the others OpenAI lists too.
DEFAULT_MODELS = (
    "gpt-6-luna",
    "gpt-6-sol",
    "gpt-5.6-luna",
    "gpt-5.6-terra",
    "gpt-5-mini",
    "gpt-4.1-mini",
    "gpt-4o",
    "gpt-4o-mini",
    "text-embedding-3-small",
    "whisper-1",
    "dall-e-3",
    "tts-1",
    "omni-moderation-latest",
)
# Shut down (the openai 3.57.0 ChatModel docstring): the seed's five and others.
RETIRED_MODELS = frozenset(
    {"gpt-4", "gpt-4-32k", "gpt-4-1106-preview", "gpt-3.5-turbo", "gpt-3.5-turbo-16k",
     "o1", "o3-mini", "o4-mini", "gpt-4.1-nano", "gpt-4-turbo", "gpt-4-0613", "gpt-3.5-turbo-0125"}
)
DEFAULT_REPLY = "Hello from the test server."
MODEL_CREATED = 1686935002


# --------------------------------------------------------------------------- model rules


def is_reasoning_model(model: str) -> bool:
    """The o-series and gpt-5 and later, except the non-reasoning chat aliases (the server's own rule)."""
    import re

    name = model.rsplit("/", 1)[-1]
    return bool(re.match(r"(o\d|gpt-[5-9])", name)) and "chat-latest" not in name



# --------------------------------------------------------------------------- the server


class _Drop(Exception):
    """Raised inside a handler to abandon the connection."""


_CONNECTION_ERRORS = (ConnectionError, BrokenPipeError, TimeoutError, socket.timeout, _Drop, OSError)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: "OpenAIServer"):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):  # never noisy about dropped peers
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, _CONNECTION_ERRORS) or self.owner._stopping.is_set():
            return
        self.owner.errors.append(exc)
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openai-test-server"
    sys_version = ""

    server: _HTTPServer

    def log_message(self, format, *args):  # no request logs on stderr
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._track(self.connection, False)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except _CONNECTION_ERRORS:
            self.close_connection = True

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- reading -------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        owner = self.server.owner
        raw = self._read_body()
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = Recorded(self.command, self.path, headers, body if isinstance(body, dict) else None, raw)
        self.request_id = owner._record(record)
        path = self.path.split("?", 1)[0].rstrip("/")

        rejection = owner._check_spec(self.command, path, body)  # OpenAI's official spec, before anything else
        if rejection is not None:
            self._send_error(rejection)
            return

        if owner.unknown_path == "fastapi" and path not in ("/v1/chat/completions", "/v1/models"):
            self._send_json(404, {"detail": "Not Found"})  # a FastAPI app: its routes are exact, a doubled /v1 is not one
            return
        if path.endswith("/chat/completions") and self.command == "POST":
            kind = "chat"
        elif path.endswith("/responses") and self.command == "POST" and owner.has_responses:
            kind = "responses"
        elif path.endswith("/models") and self.command == "GET":
            kind = "models"
        else:
            self._send_error(
                Error(404, _err(f"Invalid URL ({self.command} {path})", "invalid_request_error"))
            )
            return

        rejection = owner._check_key(record)
        if rejection is not None:
            self._send_error(rejection)
            return

        if kind in ("chat", "responses") and isinstance(body, dict):
            rejection = owner._check_model_rules(body, kind)
            if rejection is not None:
                self._send_error(rejection)
                return

        if kind == "chat" and raw and not isinstance(body, dict):
            self._send_error(
                bad_request(
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
                    "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
                    "valid JSON. If you have trouble figuring out how to fix this, please contact us through our "
                    "help center at help.openai.com.)"
                )
            )
            return

        response = owner._next(kind)
        if response is None and kind in ("chat", "responses"):
            response = owner._answer_for(body)
        if kind == "responses":
            responses_wire.respond(self, response, body or {})
        elif kind == "chat":
            self._respond_chat(response, body or {})
        else:
            self._respond_models(response)

    # -- writing -------------------------------------------------------------

    def _start(self, status: int, content_type: str, extra: dict | None = None, length: int | None = None):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("x-request-id", self.request_id)
        self.send_header("openai-version", "2020-10-01")
        self.send_header("openai-processing-ms", "1")
        for name, value in (extra or {}).items():
            self.send_header(name.lower(), str(value))
        if length is None:
            self.send_header("transfer-encoding", "chunked")
            self.send_header("cache-control", "no-cache, must-revalidate")
        else:
            self.send_header("content-length", str(length))
        self.send_header("connection", "close" if self.close_connection else "keep-alive")
        self.end_headers()

    def _send_bytes(self, status: int, content_type: str, data: bytes, extra: dict | None = None):
        self._start(status, content_type, extra, len(data))
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, extra: dict | None = None):
        self._send_bytes(status, "application/json", json.dumps(obj).encode(), extra)

    def _send_error(self, error: Error):
        if isinstance(error.body, dict):
            payload = error.body if "error" in error.body else {"error": error.body}
            text = json.dumps(payload).replace(REQUEST_ID_PLACEHOLDER, self.request_id)
            content_type = error.content_type or "application/json"
        else:
            text = error.body
            content_type = error.content_type or (
                "text/html" if text.lstrip().startswith("<") else "text/plain; charset=utf-8"
            )
        self._send_bytes(error.status, content_type, text.encode(), error.headers)

    def _chunk(self, data: bytes):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _event(self, obj: Any):
        payload = obj if isinstance(obj, str) else json.dumps(obj)
        self._chunk(f"data: {payload}\n\n".encode())

    def _end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self):
        """Close the TCP connection mid-body (FIN, no terminating chunk)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _wait(self, seconds: float):
        if seconds > 0 and self.server.owner._stopping.wait(seconds):
            raise _Drop()

    # -- chat ----------------------------------------------------------------

    def _respond_chat(self, response: Any, body: dict):
        owner = self.server.owner
        if isinstance(response, Hang):
            self._wait(response.seconds)
            response = response.reply if response.reply is not None else Reply()
        if response is None:
            response = Reply()
        elif isinstance(response, str):
            response = Reply(response)
        if isinstance(response, Error):
            self._send_error(response)
            return

        model = body.get("model") or "gpt-4o-mini"
        stream = bool(body.get("stream"))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        cid = "chatcmpl-" + self.request_id.replace("req_", "test")
        created = int(time.time())

        if isinstance(response, Reply):
            model = response.model or model
            chunks = response.chunks
            text = response.text
            if text is None:
                text = "".join(chunks) if chunks is not None else owner.reply
            if chunks is None:
                chunks = _split(text)
            usage = _usage(response.usage, body, text, len(chunks))
            if (not stream and not response.stream_anyway) or response.ignore_stream:
                self._wait(response.think)
                message = {"role": "assistant", "content": text, "refusal": None}
                if response.reasoning:
                    message[response.reasoning_field] = "".join(response.reasoning)
                obj = {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {"index": 0, "message": message, "logprobs": None, "finish_reason": response.finish_reason}
                    ],
                    "system_fingerprint": "fp_test",
                }
                if usage is not None:
                    obj["usage"] = usage
                self._send_json(200, obj)
                return
            self._stream(cid, created, model, chunks, response.delay, include_usage and usage is not None, response)
            if response.finish_reason is not None:
                self._wait(response.delay)
                self._event(_chunk_obj(cid, created, model, {}, response.finish_reason, include_usage))
            if include_usage and usage is not None:
                self._wait(response.delay)
                obj = _chunk_obj(cid, created, model, None, None, False)
                obj["choices"] = []
                obj["usage"] = usage
                self._event(obj)
            self._event("[DONE]")
            self._end_chunks()
            return

        if isinstance(response, StreamError):
            self._stream(cid, created, model, _split(response.text), response.delay, include_usage)
            self._wait(response.delay)
            error = response.error if response.error is not None else stream_server_error()
            self._event(error if "error" in error else {"error": error})
            self._end_chunks()
            return

        if isinstance(response, StreamDrop):
            self._stream(cid, created, model, _split(response.text), response.delay, include_usage, response)
            self._drop()
            return

        if isinstance(response, Events):
            self._start(200, "text/event-stream; charset=utf-8")
            for event in response.events:
                self._wait(response.delay)
                if isinstance(event, str):
                    self._chunk(event.encode())
                else:
                    self._event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model, **event})
            if response.done:
                self._event("[DONE]")
            for extra in response.after_done:
                self._wait(response.delay)
                self._chunk(extra.encode())
            self._end_chunks()
            return


    def _think(self, reply: "Reply | None") -> None:
        """A model's silence before its first token: nothing at all, or only ": ping" comments."""
        if reply is None or reply.think <= 0:
            return
        end = time.monotonic() + reply.think
        while (left := end - time.monotonic()) > 0:
            self._wait(min(left, reply.ping) if reply.ping > 0 else left)
            if reply.ping > 0 and end - time.monotonic() > 0:
                self._chunk(b": ping\n\n")

    def _stream(self, cid, created, model, chunks, delay, include_usage, reply=None):
        self._start(200, "text/event-stream; charset=utf-8")
        self._think(reply)
        self._event(_chunk_obj(cid, created, model, {"role": "assistant", "content": "", "refusal": None}, None,
                               include_usage))
        for piece in (reply.reasoning or []) if reply is not None else []:
            self._wait(delay)
            self._event(_chunk_obj(cid, created, model, {"content": None, reply.reasoning_field: piece}, None, include_usage))
        for piece in chunks:
            self._wait(delay)
            self._event(_chunk_obj(cid, created, model, {"content": piece}, None, include_usage))

    # -- models --------------------------------------------------------------

    def _respond_models(self, response: Any):
        owner = self.server.owner
        if isinstance(response, Hang):
            self._wait(response.seconds)
            response = response.reply
        if isinstance(response, Error):
            self._send_error(response)
            return
        if isinstance(response, StreamDrop):
            self._drop()
            return
        if isinstance(response, (list, tuple)):
            ids = list(response)
        else:
            ids = list(owner.models)
        data = [{"id": i, "object": "model", "created": MODEL_CREATED, "owned_by": "openai"} for i in ids]
        self._send_json(200, {"object": "list", "data": data})


def _split(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _chunk_obj(cid, created, model, delta, finish_reason, include_usage) -> dict:
    obj = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": "fp_test",
        "choices": [{"index": 0, "delta": delta or {}, "logprobs": None, "finish_reason": finish_reason}],
    }
    if include_usage:
        obj["usage"] = None
    return obj


def _usage(spec: bool | dict, body: dict, text: str, pieces: int) -> dict | None:
    if spec is False or spec is None:
        return None
    if isinstance(spec, dict):
        prompt = int(spec.get("prompt_tokens", 0))
        completion = int(spec.get("completion_tokens", 0))
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": int(spec.get("total_tokens", prompt + completion)),
        }
        # As OpenAI reports them: cached prompt tokens and reasoning tokens, each inside its details.
        if "cached_tokens" in spec:
            usage["prompt_tokens_details"] = {"cached_tokens": int(spec["cached_tokens"]), "audio_tokens": 0}
        if "reasoning_tokens" in spec:
            usage["completion_tokens_details"] = {
                "reasoning_tokens": int(spec["reasoning_tokens"]),
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            }
        return usage
    prompt = 0
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        prompt += 4 + len(str(content or "")) // 4
    prompt = max(prompt + 3, 8)
    completion = max(pieces, (len(text) + 3) // 4, 1)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class OpenAIServer:
    """OpenAI-protocol server on 127.0.0.1:<random port>, served from a background thread."""

    def __init__(self, models: Iterable[str] = DEFAULT_MODELS):
        self._default_models = list(models)
        self.models: list[str] = list(self._default_models)
        self.reply: str = DEFAULT_REPLY
        # Replies chosen by the question, used when nothing is scripted: a chat request whose last user
        # message contains a key gets that key's text. For notebooks, whose kernel can't script the server.
        self.answers: dict[str, str] = {}
        self.valid_keys: set[str] | None = None
        self.strict = True  # today's model rules (see the module docstring)
        self.retired: set[str] = set(RETIRED_MODELS)
        self.refuse_params: dict[str, str] = {}  # parameter -> "openai" | "azure" refusal style
        self.spec_violations: list[str] = []  # request bodies the official spec refuses (a test fails on any)
        self.spec_exempt: set[str] = set()  # top-level parameters a test sends off-spec on purpose
        # A path other than .../chat/completions and .../models: "openai" answers 404 "Invalid URL (POST /x)"
        # as the API does; "fastapi" answers 404 {"detail": "Not Found"} to anything but /v1/chat/completions
        # and /v1/models exactly, as a FastAPI app with those routes does (a doubled or missing /v1 included).
        self.unknown_path = "openai"
        # POST /v1/responses (tests/support/responses_wire.py): models Chat Completions refuses, and how.
        self.responses_only: set[str] = set(responses_wire.RESPONSES_ONLY)
        self.wrong_api_style = "openai"  # or "copilot": 400 unsupported_api_for_model
        self.has_responses = True  # False: a gateway without the path (404 on it)
        self._responses_queue: list[Any] = []
        self.requests: list[Recorded] = []
        self.errors: list[BaseException] = []  # unexpected handler exceptions (bugs), never printed twice
        self._chat_queue: list[Any] = []
        self._models_queue: list[Any] = []
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self.connections_opened = 0  # TCP connections accepted so far (keep-alive reuse shows as fewer)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port: int = 0

    # -- lifecycle -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("OpenAIServer is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "OpenAIServer":
        if self._httpd is not None:
            return self
        spec_check.warm()  # ~1 s, once per process: here, so that no request (nor a benchmark) waits for it
        self._stopping.clear()
        self._httpd = _HTTPServer(self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"openai-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- scripting -----------------------------------------------------------

    def script(self, *responses: Any) -> None:
        """Queue responses for the next POST .../chat/completions requests (FIFO, one each).

        Accepts Reply, Error, StreamError, StreamDrop, Hang, or a str (shorthand for Reply(str)).
        """
        for response in responses:
            if not isinstance(response, (Reply, Error, StreamError, StreamDrop, Hang, Events, str)):
                raise TypeError(f"cannot answer a chat request with {response!r}")
        with self._lock:
            self._chat_queue.extend(responses)

    def script_responses(self, *responses: Any) -> None:
        """Queue responses for the next POST .../responses requests: Reply, Error, StreamError (an ``error``
        event), StreamDrop, Hang, ``responses_wire.Failed`` (``response.failed``) or a str."""
        with self._lock:
            self._responses_queue.extend(responses)

    def responses_requests(self) -> list[Recorded]:
        with self._lock:
            return [
                r for r in self.requests
                if r.method == "POST" and r.path.split("?", 1)[0].rstrip("/").endswith("/responses")
            ]

    def script_models(self, *responses: Any) -> None:
        """Queue responses for GET .../models: Error, Hang, StreamDrop (drop the connection),
        Reply (the normal list) or a list of model ids (served instead of ``models`` once)."""
        for response in responses:
            if not isinstance(response, (Reply, Error, StreamDrop, Hang, list, tuple)):
                raise TypeError(f"cannot answer a models request with {response!r}")
        with self._lock:
            self._models_queue.extend(responses)

    def pending(self) -> int:
        """How many scripted chat responses are still queued."""
        with self._lock:
            return len(self._chat_queue)

    def reset(self) -> None:
        with self._lock:
            self._chat_queue.clear()
            self._models_queue.clear()
            self._responses_queue.clear()
            self.requests.clear()
            self.errors.clear()
        self.reply = DEFAULT_REPLY
        self.answers = {}
        self.models = list(self._default_models)
        self.valid_keys = None
        self.strict = True
        self.retired = set(RETIRED_MODELS)
        self.refuse_params = {}
        with self._lock:
            self.spec_violations = []
        self.spec_exempt = set()
        self.unknown_path = "openai"
        self.responses_only = set(responses_wire.RESPONSES_ONLY)
        self.wrong_api_style = "openai"
        self.has_responses = True

    def chat_requests(self) -> list[Recorded]:
        with self._lock:
            return [
                r for r in self.requests
                if r.method == "POST" and r.path.split("?", 1)[0].rstrip("/").endswith("/chat/completions")
            ]

    # -- used by the handler -------------------------------------------------

    def _record(self, record: Recorded) -> str:
        with self._lock:
            self.requests.append(record)
            return f"req_{next(self._counter)}"

    def _answer_for(self, body: Any) -> Any:
        messages = body.get("messages") if isinstance(body, dict) else None
        if isinstance(body, dict) and isinstance(body.get("input"), list):
            messages = body["input"]
        users = [m.get("content") for m in messages or [] if isinstance(m, dict) and m.get("role") == "user"]
        question = users[-1] if users and isinstance(users[-1], str) else ""
        if users and isinstance(users[-1], list):  # text and image parts: the question is in the text parts
            question = " ".join(str(p.get("text", "")) for p in users[-1] if isinstance(p, dict))
        for key, text in list(self.answers.items()):
            if key in question:
                return Reply(text)
        return None

    def _next(self, kind: str) -> Any:
        with self._lock:
            queue = {"chat": self._chat_queue, "responses": self._responses_queue}.get(kind, self._models_queue)
            return queue.pop(0) if queue else None

    def refuse(self, param: str, style: str = "azure") -> None:
        """Act like a gateway that refuses ``param`` in every chat request (``azure``: "Unrecognized
        request argument supplied"; ``openai``: 400 ``unsupported_parameter`` naming it)."""
        self.refuse_params[param] = style

    def _check_model_rules(self, body: dict, kind: str = "chat") -> Error | None:
        model = str(body.get("model") or "")
        if kind == "chat" and model in self.responses_only:
            return responses_wire.wrong_api(self.wrong_api_style)
        for param, style in self.refuse_params.items():  # a gateway's own rule: applies when not strict too
            if param in body:
                if style == "openai":
                    return Error(400, _err(f"Unsupported parameter: '{param}' is not supported with this model.",
                                           "invalid_request_error", "unsupported_parameter", param))
                return unrecognized_argument(param)
        if not self.strict:
            return None
        if model in self.retired:
            return model_deprecated(model)
        if is_reasoning_model(model):
            if "max_tokens" in body and kind == "chat":
                return unsupported_max_tokens()
            if "temperature" in body and body["temperature"] != 1:
                return unsupported_temperature(body["temperature"])
        return None

    def _check_spec(self, method: str, path: str, body: Any) -> Error | None:
        """A JSON body POSTed to /chat/completions or /responses must be valid under OpenAI's spec
        (tests/support/spec_check.py): if not, it is recorded and refused with the API's 400."""
        if method != "POST" or not isinstance(body, dict) or not spec_check.covers(path):
            return None
        found = spec_check.check_request(path, body, exempt=self.spec_exempt)
        with self._lock:
            self.spec_violations += [f"POST {path}: {line}" for line in found]
        return Error(400, spec_check.error_body(found[0])) if found else None

    def _check_key(self, record: Recorded) -> Error | None:
        valid = self.valid_keys
        if valid is None:
            return None
        token = record.bearer
        if not token:
            return missing_api_key()
        if token not in valid:
            return invalid_api_key(token)
        return None

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
                self.connections_opened += 1
            else:
                self._connections.discard(conn)
