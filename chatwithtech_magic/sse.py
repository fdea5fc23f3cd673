"""Reading a chat completion ourselves, streamed or whole, from the SDK's raw response.

Why not the SDK's ``Stream``: it stops at ``data: [DONE]`` and closes the response before
the body's last chunk (the zero-length terminator) is read, so httpx cannot return the
connection to its pool and every streamed cell pays a new TCP (and TLS) handshake. It also
builds a pydantic model per chunk, which is most of the time of a long answer. Here the
body is read to its real end, and each event is one ``json.loads`` applied to the ``Draft``.
A non-streamed answer is one ``json.loads`` too, read as attributes like the SDK's models.

The SDK still builds and sends the request, and raises HTTP errors (``APIStatusError``
subclasses) before any of the body is read. Failures while reading are raised the way
the SDK's ``Stream`` raises them, so ``errors.classify`` sees the same exceptions:
an ``{"error": ...}`` event -> a plain ``openai.APIError`` (no status), a dropped
connection -> ``APIConnectionError``, a stall -> ``APITimeoutError``.

Lines that are not events are tolerated, as the SSE standard says: comments (``:``),
``id:``, ``retry:``, ``event:`` and unknown fields are ignored, an empty ``data:`` is
skipped. An event whose data is not a JSON object is a broken stream: reading stops with
a plain ``APIError`` (the catalog's ``stream_interrupted``) and the text so far is kept.
Skipping it instead could silently drop a piece of the answer and still call it complete.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from .stream import take_whole

# How much of a malformed event is quoted in the failure message.
QUOTE = 80


class Record(SimpleNamespace):
    """A JSON object read as attributes, like the SDK's models: ``usage.prompt_tokens_details.cached_tokens``.

    A field the server left out reads as ``None`` (as on a pydantic model), so readers
    need no ``getattr`` defaults for optional fields.
    """

    def __getattr__(self, name: str):
        if name.startswith("_"):  # protocols (copy, pickle, IPython's _repr_*_) must see a plain object
            raise AttributeError(name)
        return None

    def model_dump(self) -> dict:
        return {k: v.model_dump() if isinstance(v, Record) else v for k, v in vars(self).items()}


def record(value):
    """``value`` with every JSON object turned into a ``Record`` (lists are kept as lists)."""
    if isinstance(value, dict):
        return Record(**{str(k): record(v) for k, v in value.items()})
    if isinstance(value, list):
        return [record(v) for v in value]
    return value


# The header the SDK's own ``with_streaming_response`` sets: the body is left unread and the call
# returns the SDK's ``APIResponse``. Status errors are still raised as ``APIStatusError`` first.
_UNREAD = {"headers": {"X-Stainless-Raw-Response": "stream"}}


def post(client, params: dict):
    """The chat request, sent with the SDK's generic ``client.post`` (its way to reach any endpoint).

    Why not ``client.chat.completions``: its first use imports the chat resource and its
    pydantic stream types, about 15 ms of a fresh kernel's first cell, for objects we never
    build. The request, headers, timeouts and errors are the SDK's either way.
    """
    return client.post("/chat/completions", body=params, cast_to=object, stream=bool(params.get("stream")), options=_UNREAD)


def stream_into(client, params: dict, draft, view, throttle) -> None:
    """Send the streamed request in ``params`` and read its answer into ``draft``."""
    response = post(client, params)
    try:
        draft.request_id = response.request_id  # kept with a recorded answer (replay.py)
        read_stream(response, draft, view, throttle)
    finally:
        response.close()  # on Ctrl-C too


def whole_into(client, params: dict, draft) -> None:
    """Send the non-streamed request in ``params`` and read its answer into ``draft``."""
    from .faults import check_completion

    response = post(client, params)
    try:
        draft.request_id = response.request_id  # kept with a recorded answer (replay.py)
        take_whole(check_completion(read_whole(response)), draft)
    finally:
        response.close()


def read_whole(response):
    """The JSON object of a non-streamed answer as a ``Record``; as the SDK does, a body that is not one comes back as text."""
    import openai

    request = response.http_response.request
    timeouts, transport = _transport_errors()
    try:
        body = response.http_response.read()
    except timeouts as err:
        raise openai.APITimeoutError(request=request) from err
    except transport as err:
        raise openai.APIConnectionError(request=request) from err
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return body.decode("utf-8", "replace")
    return record(value)


def read_stream(response, draft, view, throttle) -> None:
    """Read the SSE body of ``response`` (an SDK ``APIResponse``) to its end into ``draft``."""
    import openai

    request = response.http_response.request
    from .faults import refuse_web_page

    refuse_web_page(response.http_response)  # a 200 web page (captive portal) instead of events: faults.NotAnAnswer
    timeouts, transport = _transport_errors()
    done = False
    try:
        for data in events(response.iter_bytes()):
            if done:
                continue  # nothing counts after [DONE]; the body is still read to its end
            if data.startswith(b"[DONE]"):
                done = True
                continue
            apply(_load(data, request), draft, view, throttle, request)
    except timeouts as err:
        if not done:
            raise openai.APITimeoutError(request=request) from err
    except transport as err:
        if not done:  # after [DONE] the answer is whole: a lost terminator costs only the connection
            raise openai.APIConnectionError(request=request) from err


def events(byte_chunks):
    """The data of each Server-Sent Event in ``byte_chunks``, as bytes (``data:`` lines joined by LF)."""
    pending = b""
    data: list[bytes] = []
    for block in byte_chunks:
        if pending:
            block = pending + block
        lines = block.split(b"\n")
        pending = lines.pop()  # an unfinished line waits for the next block
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:  # a blank line ends the event
                if data:
                    yield b"\n".join(data)
                    data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
            # comments (":..."), id:, retry:, event: and unknown fields carry nothing we use
    if pending.rstrip(b"\r").startswith(b"data:"):
        value = pending.rstrip(b"\r")[5:]
        data.append(value[1:] if value.startswith(b" ") else value)
    if data:  # a body that ends without the final blank line still delivers its last event
        yield b"\n".join(data)


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


def apply(chunk: dict | None, draft, view, throttle, request=None) -> None:
    """One chunk of a chat completion stream into ``draft``; re-renders ``view`` when ``throttle`` allows."""
    if not chunk:
        return
    error = chunk.get("error")
    if error:  # as the SDK's Stream does: a plain APIError, no status (the HTTP status was 200)
        import openai

        message = error.get("message") if isinstance(error, dict) else None
        if not message or not isinstance(message, str):
            message = "An error occurred during streaming"
        raise openai.APIError(message, request, body=error)
    model = chunk.get("model")
    if model and isinstance(model, str):
        draft.model = model
    usage = chunk.get("usage")
    if usage and isinstance(usage, dict):
        draft.usage = record(usage)
    choices = chunk.get("choices")
    if not choices or not isinstance(choices, list):
        return
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta")
        if delta and isinstance(delta, dict):
            content = delta.get("content")
            if content and isinstance(content, str):
                draft.add(content)
                if throttle.ready(draft.size):
                    view.update(draft.text)
            refusal = delta.get("refusal")
            if refusal and isinstance(refusal, str):
                draft.refusal_parts.append(refusal)
            tool_calls = delta.get("tool_calls")
            if tool_calls and isinstance(tool_calls, list):
                draft.tool_calls.extend(record(tool_calls))
        finish = choice.get("finish_reason")
        if finish and isinstance(finish, str):
            draft.finish_reason = finish


def _transport_errors() -> tuple[tuple, tuple]:
    """The exceptions the HTTP library raises for a stalled and for a broken body, as the SDK maps them."""
    try:
        from openai._httpx2 import request_exceptions, timeout_exceptions  # openai on httpx2
    except ImportError:  # older openai releases, on httpx
        import httpx

        return (httpx.TimeoutException,), (httpx.RequestError,)
    return timeout_exceptions(), request_exceptions()
