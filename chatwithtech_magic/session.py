"""The core: ask a model, stream the answer into a view, remember the exchange.

Works without IPython. Failures never raise out of ``ask``: they come back on the
``Answer`` as a catalog ``Failure``, next to whatever text had already arrived.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from . import errors
from .client import ClientCache, resolve_base_url
from .conversation import Conversation, Exchange
from .credentials import DEFAULT_CONNECTION, CredentialStore, Credentials
from .i18n import Text
from .request import ChatRequest, build_params
from .retry import next_delay
from .stream import DEFAULT_INTERVAL, Draft, TextView, Throttle, consume, take_whole

INTERRUPTED = Text("answer incomplete: interrupted", "回答不完整：已中断")
CUT_OFF = Text("answer incomplete: the stream stopped early", "回答不完整：数据流提前中断")
TRUNCATED = Text("stopped at the max tokens limit", "已达到最大令牌数限制而停止")


@dataclass
class Answer:
    prompt: str
    text: str = ""
    model: str = ""
    complete: bool = False
    interrupted: bool = False
    finish_reason: str | None = None
    usage: object = None
    failure: errors.Failure | None = None

    def incomplete_note(self, language: str = "en") -> str:
        return (INTERRUPTED if self.interrupted else CUT_OFF).get(language)

    def truncated_note(self, language: str = "en") -> str | None:
        return TRUNCATED.get(language) if self.finish_reason == "length" else None


class ChatFailure(Exception):
    """Raised by calls without a view (listing models); carries the catalog ``Failure``."""

    def __init__(self, failure: errors.Failure):
        super().__init__(failure.kind.kind)
        self.failure = failure


class ChatSession:
    def __init__(self, credentials: CredentialStore | None = None, sleep=time.sleep):
        self.credentials = credentials or CredentialStore()
        self.conversation = Conversation()
        self.clients = ClientCache()
        self.last_failure: errors.Failure | None = None
        # Endpoints that refused ``stream_options`` (older Azure API versions, some gateways):
        # they get streams without the usage chunk instead of a failure on every cell.
        self.without_stream_usage: set[str] = set()
        self.sleep = sleep

    # -- asking -------------------------------------------------------------------
    def ask(
        self,
        prompt: str,
        request: ChatRequest = ChatRequest(),
        view=None,
        throttle_interval: float = DEFAULT_INTERVAL,
    ) -> Answer:
        view = view if view is not None else TextView()
        answer = Answer(prompt=prompt, model=request.model)
        try:
            client, credentials, base_url = self._connect(request)
        except ChatFailure as refused:  # no usable key: nothing is sent
            answer.failure = refused.failure
            return self._finish(answer, view)
        params = build_params(prompt, request, self.conversation)
        if base_url in self.without_stream_usage:
            params.pop("stream_options", None)
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            draft = Draft()
            failure = None
            try:
                self._send(client, params, request.stream, draft, view, Throttle(throttle_interval))
            except KeyboardInterrupt:
                answer.interrupted = True
            except Exception as exc:
                if not _is_api_error(exc):
                    raise  # a bug of ours, not a failure of the service: let it be seen
                failure = errors.classify(exc, partial=bool(draft.text), secrets=(credentials.api_key,))
                if "stream_options" in params and failure.status == 400 and "stream_options" in failure.message:
                    params.pop("stream_options")  # once, and remembered: a compatibility gap, not the user's error
                    self.without_stream_usage.add(base_url)
                    continue
                delay = next_delay(request.retry, attempt, _headers(exc), failure.message)
                if failure.retried and not draft.text and request.retry.allows(attempt, waited, delay):
                    if self._wait(view, failure, delay, attempt, request):
                        waited += delay
                        continue
                    answer.interrupted = True
            break

        answer.text, answer.usage, answer.finish_reason = draft.text, draft.usage, draft.finish_reason
        answer.model = draft.model or request.model
        if failure is None and not answer.interrupted and request.stream and draft.finish_reason is None:
            failure = errors.Failure(errors.kind_named("stream_interrupted"), message="the stream ended without a finish reason")
        if failure is not None:
            failure.attempts, failure.waited = attempt, waited
            answer.failure = self._fill(failure, request, credentials, base_url)
        answer.complete = failure is None and not answer.interrupted
        if request.remember and (answer.text or answer.complete):
            if request.system:
                self.conversation.system = request.system
            self.conversation.record(Exchange(prompt, answer.text, answer.model, answer.complete))
        return self._finish(answer, view)

    def _connect(self, request: ChatRequest):
        """The client, credentials and base URL for ``request``; ChatFailure when there is no usable key."""
        credentials = self.credentials.resolve(request.connection)
        base_url = resolve_base_url(credentials, request.base_url)
        if credentials is None:
            raise ChatFailure(self._fill(errors.Failure(errors.kind_named("missing_key")), request, None, base_url))
        credentials, problem = usable_key(credentials)
        if problem:
            failure = errors.Failure(errors.kind_named("malformed_key"), message=problem)
            raise ChatFailure(self._fill(failure, request, credentials, base_url, suggest=False))
        return self.clients.get(credentials, base_url, request.timeout), credentials, base_url

    def _send(self, client, params, stream, draft, view, throttle) -> None:
        if not stream:
            take_whole(client.chat.completions.create(**params), draft)
            return
        response = client.chat.completions.create(**params)
        try:
            consume(response, draft, view, throttle)
        finally:
            response.close()  # on Ctrl-C too: frees the connection for the next cell

    def _wait(self, view, failure, delay, attempt, request) -> bool:
        """Count down to the next attempt; False when the user interrupted the wait."""
        waiting = getattr(view, "waiting", None)
        remaining = delay
        try:
            while remaining > 0:
                if waiting:
                    waiting(failure, remaining, attempt + 1, request.retry.max_attempts)
                step = min(1.0, remaining)
                self.sleep(step)
                remaining -= step
        except KeyboardInterrupt:
            return False
        finally:
            if waiting:
                waiting(None, 0, attempt + 1, request.retry.max_attempts)
        return True

    def _finish(self, answer: Answer, view) -> Answer:
        self.last_failure = answer.failure or self.last_failure
        view.finish(answer)
        return answer

    def _fill(self, failure, request, credentials: Credentials | None, base_url: str, suggest: bool = True) -> errors.Failure:
        failure.model = request.model
        failure.base_url = base_url
        failure.connection = request.connection
        failure.timeout = request.timeout
        if credentials is not None:
            failure.masked_key = credentials.masked_key
            failure.key_source = credentials.source
            failure.organization = credentials.organization
        if suggest and failure.kind.kind in ("model_not_found", "context_length"):
            failure.suggestions = self._suggest(failure, request)
        return failure

    def _suggest(self, failure, request) -> list[str]:
        from .models import catalog_first, chat_models, larger_context

        try:
            available = self.list_models(request)
        except ChatFailure:
            available = None
        if failure.kind.kind == "context_length":
            return larger_context(request.model, available)[:3]
        return [m for m in catalog_first(chat_models(available or [])) if m != request.model][:6]

    # -- models -------------------------------------------------------------------
    def list_models(self, request: ChatRequest = ChatRequest()) -> list[str]:
        client, credentials, base_url = self._connect(request)
        try:
            return sorted(model.id for model in client.models.list())
        except Exception as exc:
            if not _is_api_error(exc):
                raise
            failure = errors.classify(exc, secrets=(credentials.api_key,))
            raise ChatFailure(self._fill(failure, request, credentials, base_url, suggest=False)) from None

    def reset(self) -> None:
        self.conversation.reset()


def usable_key(credentials: Credentials) -> tuple[Credentials, str | None]:
    """The credentials with the key's surrounding whitespace removed, and what else is wrong with it.

    A key with a line break or space around it (common in environment variables) is used
    trimmed. One with a space, control or non-ASCII character inside (a typographic dash
    pasted from a document) can't go into an HTTP header: the SDK would raise a
    ``UnicodeEncodeError`` traceback, or an ``APIConnectionError`` that reads like a network
    failure and is retried. The problem names the character, never the key.
    """
    key = credentials.api_key.strip()
    if key != credentials.api_key:
        credentials = replace(credentials, api_key=key)
    for char in key:
        if not char.isascii() or not char.isprintable() or char.isspace():
            return credentials, f"U+{ord(char):04X}"
    return credentials, None


def _is_api_error(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APIError)


def _headers(exc):
    response = getattr(exc, "response", None)
    return getattr(response, "headers", None)


__all__ = ["Answer", "ChatFailure", "ChatRequest", "ChatSession", "DEFAULT_CONNECTION"]
