"""The transport: posting a request and reading its answer ourselves, streamed or whole, from the SDK's
raw response. It knows no wire field: the dialect (wire/) writes the body and reads each event.

Why not the SDK's ``Stream``: it stops at ``data: [DONE]`` and closes the response before
the body's last chunk (the zero-length terminator) is read, so httpx cannot return the
connection to its pool and every streamed cell pays a new TCP (and TLS) handshake. It also
builds a pydantic model per chunk, which is most of the time of a long answer. Here what
follows ``[DONE]`` is read while it is at hand (the terminator, normally), never waited for,
and each event is one ``json.loads`` the dialect applies to the ``Draft``. A non-streamed answer is
one ``json.loads`` too, read as attributes like the SDK's models, and so is a whole answer
sent in reply to a streamed request.

The SDK still builds and sends the request, and raises HTTP errors (``APIStatusError``
subclasses) before any of the body is read. Failures while reading are raised the way
the SDK's ``Stream`` raises them, so ``errors.classify`` sees the same exceptions:
an ``{"error": ...}`` event -> a plain ``openai.APIError`` (no status), a dropped
connection -> ``APIConnectionError``, a stall -> ``APITimeoutError``.

Lines end with LF, CRLF or CR, and are framed incrementally up to ``MAX_LINE`` (``Events``).
Lines that are not events are tolerated, as the SSE standard says: comments (``:``),
``id:``, ``retry:``, ``event:`` and unknown fields are ignored, an empty ``data:`` is
skipped; but comments alone don't keep a silent stream alive past the timeout. An event whose data is not a JSON object is a broken stream:
reading stops with a plain ``APIError`` (the catalog's ``stream_interrupted``) and the text so far is kept.
Skipping it instead could silently drop a piece of the answer and still call it complete.
"""

from __future__ import annotations

import json
import select
import time
from contextlib import contextmanager

from .framing import MAX_LINE, Events, events  # noqa: F401  (re-exported)
from .wire.json_object import JsonObject, as_attributes

# How much of a malformed event is quoted in the failure message.
QUOTE = 80


# The header the SDK's own ``with_streaming_response`` sets: the body is left unread and the call
# returns the SDK's ``APIResponse``. Status errors are still raised as ``APIStatusError`` first.
_UNREAD = {"headers": {"X-Stainless-Raw-Response": "stream"}}


def post(client, dialect, body: dict):
    """The request, sent with the SDK's generic ``client.post`` (its way to reach any endpoint).

    Why not ``client.chat.completions``: its first use imports the chat resource and its
    pydantic stream types, about 15 ms of a fresh kernel's first cell, for objects we never
    build. The request, headers, timeouts and errors are the SDK's either way.
    """
    return client.post(dialect.path, body=body, cast_to=object, stream=bool(body.get("stream")), options=_UNREAD)


def stream_into(client, dialect, body: dict, draft, view, throttle, silence: float | None = None) -> None:
    """Send the streamed request ``body`` and read its answer into ``draft``, event by event through ``dialect``.

    ``silence``: the longest time without an event (``ChatMagics.timeout``); comments and
    pings don't count, so a proxy's keep-alive drip can't hold a cell past it.
    """
    with waiting(view, body.get("model")):
        response = post(client, dialect, body)
        draft.accepted = True  # status errors were raised by the SDK: this one is 2xx
        try:
            draft.request_id = response.request_id  # kept with a recorded answer (replay.py)
            read_stream(response, dialect, draft, view, throttle, silence)
        finally:
            draft.flush()  # a held-back "<thi" is text after all; an unclosed <think> is thinking
            response.close()  # on Ctrl-C too


def whole_into(client, dialect, body: dict, draft, view=None) -> None:
    """Send the non-streamed request ``body`` and read its answer into ``draft`` (an event stream, if that is what comes)."""
    with waiting(view, body.get("model")):
        response = post(client, dialect, body)
        draft.accepted = True  # status errors were raised by the SDK: this one is 2xx
        try:
            draft.request_id = response.request_id  # kept with a recorded answer (replay.py)
            data = _read_body(response)
            if _is_events(response.http_response, data):  # a gateway that streams although not asked to
                _take_events(data, dialect, draft, response.http_response.request)
            else:
                dialect.take_whole(_whole(data), draft)
        finally:
            draft.flush()
            response.close()


@contextmanager
def waiting(view, model):
    """The view's live "thinking · 0:12" line while no text has come (render/waiting.py); views without one: nothing."""
    begin = getattr(view, "begin_wait", None)
    if begin is None:
        yield
        return
    begin(model if isinstance(model, str) else "")
    try:
        yield
    finally:
        view.end_wait()


def read_whole(response):
    """The JSON object of a non-streamed answer read as attributes (``JsonObject``); as the SDK does, a body that is not one comes back as text."""
    return _whole(_read_body(response))


def _read_body(response) -> bytes:
    import openai

    request = response.http_response.request
    timeouts, transport = _transport_errors()
    try:
        return response.http_response.read()
    except timeouts as err:
        raise openai.APITimeoutError(request=request) from err
    except transport as err:
        raise openai.APIConnectionError(request=request) from err


def _is_events(http_response, body: bytes) -> bool:
    content_type = http_response.headers.get("content-type", "").lower()
    return "event-stream" in content_type or body.lstrip()[:5] == b"data:"


class _Unseen:
    """The view and throttle of an event stream read whole: nothing is shown until the answer is over."""

    def update(self, text: str) -> None:
        pass

    def ready(self, length: int = 0) -> bool:
        return False


def _take_events(body: bytes, dialect, draft, request) -> None:
    reader, unseen = Events(), _Unseen()
    for data in reader.feed(body, request) + reader.end(request):
        if dialect.is_end(data):
            break
        if dialect.apply(_load(data, request), draft, unseen, unseen, request):
            break


def _whole(body: bytes):
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        return body.decode("utf-8", "replace")
    return as_attributes(value)


def read_stream(response, dialect, draft, view, throttle, silence: float | None = None, clock=time.monotonic) -> None:
    """Read the SSE body of ``response`` (an SDK ``APIResponse``) to its last event into ``draft``.

    A gateway that ignores ``stream: true`` and answers with one JSON answer is read as
    that answer (``_take_json``), whatever its content type says: a body with no event at all. After ``[DONE]`` only what is already at hand is read,
    so the connection can be reused; anything slower closes it (``_finish_body``).
    """
    import openai

    http_response = response.http_response
    request = http_response.request
    from .faults import refuse_web_page

    refuse_web_page(http_response)  # a 200 web page (captive portal) instead of events: faults.NotAnAnswer
    timeouts, transport = _transport_errors()
    chunks = iter(response.iter_bytes())
    reader = Events()
    last = clock()
    try:
        for block in chunks:
            for data in reader.feed(block, request):
                if dialect.is_end(data):
                    _finish_body(chunks, http_response, clock)
                    return
                if dialect.apply(_load(data, request), draft, view, throttle, request):  # an ending event (Responses)
                    _finish_body(chunks, http_response, clock)
                    return
                last = clock()
            if silence and clock() - last > silence:  # only comments for too long: a silence like any other
                raise openai.APITimeoutError(request=request)
        for data in reader.end(request):
            if dialect.is_end(data) or dialect.apply(_load(data, request), draft, view, throttle, request):
                return
        if not reader.seen and reader.raw:  # no event at all, but a body: a whole JSON answer with another content type
            _take_json(reader.raw, dialect, draft, view, throttle, request)
    except timeouts as err:
        raise openai.APITimeoutError(request=request) from err
    except transport as err:
        raise openai.APIConnectionError(request=request) from err


def _take_json(body: bytes, dialect, draft, view, throttle, request) -> None:
    """A whole answer in reply to a streamed request: shown as the answer, with its usage."""
    value = _whole(body)
    error = value.error if isinstance(value, JsonObject) else None
    if error is not None:  # {"error": {...}} with a 200: as an error event would be
        dialect.apply({"error": error.model_dump() if isinstance(error, JsonObject) else error}, draft, view, throttle, request)
    dialect.take_whole(value, draft)
    if draft.thinking and hasattr(view, "think"):
        view.think(draft.thinking)
    if draft.text:
        view.update(draft.text)


# After [DONE]: how much more of the body is read to let the connection be reused, and how long
# to wait for it. The terminator normally comes with [DONE] or right after it; a proxy that pings
# after [DONE] (seen: ": ping" every second) is cut off instead of holding the cell.
AFTER_DONE_BYTES = 64 * 1024
AFTER_DONE_WAIT = 0.05
AFTER_DONE_TOTAL = 0.25


def _finish_body(chunks, http_response, clock) -> None:
    """Read what is left of a finished stream while it is at hand; else leave it (the response is closed)."""
    deadline, read = clock() + AFTER_DONE_TOTAL, 0
    while read <= AFTER_DONE_BYTES and clock() < deadline and _at_hand(http_response):
        try:
            read += len(next(chunks))
        except StopIteration:
            return  # the body's real end: the connection goes back to the pool
        except Exception:
            return  # the answer is whole; a broken tail costs only the connection


def _at_hand(http_response) -> bool:
    """Whether more of the body can be read without waiting: parsed-ahead bytes, or bytes arriving very soon."""
    if _parser_buffer(http_response):
        return True
    stream = getattr(http_response, "extensions", {}).get("network_stream")
    try:
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return False
        pending = getattr(sock, "pending", None)  # TLS: bytes already decrypted
        if pending is not None and pending():
            return True
        return bool(select.select([sock], [], [], AFTER_DONE_WAIT)[0])
    except (OSError, ValueError, TypeError, AttributeError):
        return False


def _parser_buffer(http_response) -> bytes:
    """Bytes the HTTP/1.1 parser (h11) has received but not handed on: often the body's terminator.

    Internals of httpx/httpcore, read defensively: where they differ, only the socket decides.
    """
    try:
        stream = http_response.stream._stream._httpcore_stream
        stream = getattr(stream, "_stream", stream)  # the pool's wrapper around the connection's stream
        data = stream._connection._h11_state.trailing_data[0]
        return data if isinstance(data, (bytes, bytearray)) else b""
    except Exception:
        return b""


def _load(data: bytes, request) -> dict | None:
    if not data.strip():
        return None  # an empty data: line
    try:
        chunk = json.loads(data)
    except ValueError:
        chunk = None
    else:
        if isinstance(chunk, dict):
            return chunk
    import openai

    quoted = data[:QUOTE].decode("utf-8", "replace") + ("…" if len(data) > QUOTE else "")
    raise openai.APIError(f"the server sent an event that is not a JSON object: {quoted}", request, body=None)


def _transport_errors() -> tuple[tuple, tuple]:
    """The exceptions the HTTP library raises for a stalled and for a broken body, as the SDK maps them."""
    try:
        from openai._httpx2 import request_exceptions, timeout_exceptions  # openai on httpx2
    except ImportError:  # older openai releases, on httpx
        import httpx

        return (httpx.TimeoutException,), (httpx.RequestError,)
    return timeout_exceptions(), request_exceptions()
