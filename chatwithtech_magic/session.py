"""The core: ask a model, stream the answer into a view, remember the exchange.

Works without IPython. Failures never raise out of ``ask``: they come back on the
``Answer`` as a catalog ``Failure``, next to whatever text had already arrived.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import empty, errors, faults, known_secrets, options, replay, spend
from .client import ClientCache, http_timeout, resolve_base_url
from .conversation import Conversation, Exchange
from .defaults import LIST_TIMEOUT
from .credentials import DEFAULT_CONNECTION, CredentialStore, Credentials, usable_key
from .i18n import Text
from .masking import redact_fields
from . import lifecycle  # models coming and going: fallbacks, retirement notes, suggestions
from .account_models import OncePerCell
from .params import Adaptations, Tried, build
from .request import ChatRequest, build_params
from .retry import next_delay
from .sse import stream_into, whole_into
from .stream import DEFAULT_INTERVAL, Draft, TextView, Throttle

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
    refused: bool = False  # the text is the model's refusal (empty.settle), not an answer
    thinking: str = ""  # the model's thinking (thinking.py): shown apart, never sent back, never in ``text``
    # Quiet plain-text lines shown under the answer (a model fallback, an adapted parameter,
    # a retirement date, spend...). Plain text: the views escape them.
    notes: list = field(default_factory=list)  # str, or i18n.Text shown in the view's language
    replayed: str = ""  # the date a replayed answer was recorded (replay.py); "" for a live answer
    # Filled by spend.Meter when the answer is over: token figures (reported or estimated), the
    # estimated cost (Decimal; None when the model has no known price), seconds, provenance.
    figures: object = None
    cost: object = None
    elapsed: float | None = None
    metadata: dict = field(default_factory=dict)  # output metadata: what produced the answer (provenance.py)

    def note_lines(self, language: str = "en") -> list[str]:
        return [note.get(language) if isinstance(note, Text) else str(note) for note in self.notes]

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
        # What each endpoint and model refused (stream_options, max_tokens, temperature...): see params.py.
        self.adaptations = Adaptations()
        # (endpoint, default model) -> the model answering instead, when the default does not exist there.
        self.fallbacks: dict[tuple[str, str], str] = {}
        self.sleep = sleep
        self.answers = replay.AnswerStore()  # recorded answers, in the working directory (the notebook's folder)
        self.meter = spend.Meter()  # tokens, cost and budget of this session (spend.py)
        self.model_lists = OncePerCell()  # GET /models at most once an ask: fallback and suggestions share it
        self._known: dict | None = None  # the secrets of an ask, gathered once (``secrets``)

    # -- asking -------------------------------------------------------------------
    def ask(
        self,
        prompt: str,
        request: ChatRequest = ChatRequest(),
        view=None,
        throttle_interval: float = DEFAULT_INTERVAL,
    ) -> Answer:
        """Answer ``prompt`` into ``view``. The steps: a recorded answer (replay.py), else a usable key;
        what to send (``_prepare``); send it, once more for a parameter the model refused (params.py)
        or for a default model that does not exist here (``_fall_back``), and again after a failure
        the catalog retries; then price, remember and record what came back."""
        with self.model_lists.cell():  # the fallback and the panel's suggestions share one /models list
            self._known = {}
            try:
                return self._ask(prompt, request, view, throttle_interval)
            finally:
                self._known = None

    def secrets(self, request: ChatRequest) -> known_secrets.KnownSecrets:
        """Every secret this session knows for ``request`` (known_secrets.py): masked in every text that
        leaves the kernel. Gathered once an ask: resolving a connection may ask the OS keyring."""
        memo = self._known if self._known is not None else {}
        key = (request.connection, request.base_url)
        if key not in memo:
            memo[key] = known_secrets.gather(self.credentials, request.connection, request.base_url)
        return memo[key]

    def _ask(self, prompt: str, request: ChatRequest, view, throttle_interval: float) -> Answer:
        view = view if view is not None else TextView()
        answer, request = _start(prompt, request, self.secrets(request))
        if request.remember:  # the same question again right after its answer was cut off is a retry: the
            self.conversation.drop_unfinished(answer.prompt)  # broken half is neither sent as history nor kept
        recorded = self._recorded(answer.prompt, request)  # replay.py: a recorded answer needs no key and sends nothing
        if recorded is not None and recorded.settle(answer):
            return self._replayed(answer, request, recorded, view)
        try:
            client, credentials, base_url = self._connect(request)
        except ChatFailure as refused:  # no usable key: nothing is sent
            answer.failure = refused.failure
            return self._finish(answer, view)
        request, params, ticket = self._prepare(answer, request, base_url)
        if ticket.refusal is not None:  # too large for the model, or over the budget: nothing is sent
            answer.failure = self._fill(ticket.refusal, request, credentials, base_url, suggest=False)
            return self._finish(answer, view)
        view = self.meter.watch(view)  # prices load once the first text is shown, never before it
        adapted, fell_back, asked = Tried(), False, request.model
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            draft = Draft()
            failure = None
            try:
                self._send(client, params, request, draft, view, Throttle.for_view(view, throttle_interval))
            except KeyboardInterrupt:
                answer.interrupted = True
            except Exception as exc:
                # Thinking counts as an answer begun: the server is working (and billing), so it is never re-sent by itself.
                begun = bool(draft.text or draft.thinking_size)
                failure = self._classify(exc, begun, request, credentials, base_url)
                resent = None if draft.text else self.adaptations.resend(failure, params, request, base_url, adapted)
                if resent is not None:  # a parameter we added that this model refuses: once without it, or renamed
                    params, notes = resent
                    answer.notes += notes
                    failure = self.meter.again(answer, request, params)  # without a refused max tokens it costs more
                    if failure is not None:
                        break
                    attempt -= 1  # a compatibility resend, not a retry
                    continue
                switched = None if (fell_back or draft.text) else self._fall_back(failure, answer, request, base_url)
                if switched is not None:  # the default model does not exist here: once, with the best the account lists
                    (request, params, ticket), fell_back = switched, True
                    if ticket.refusal is not None:  # too large for that model, or over the budget with it: not sent
                        failure = ticket.refusal
                        break
                    attempt -= 1
                    continue
                delay = next_delay(request.retry, attempt, _headers(exc), failure.message)
                if failure.retried and not begun and request.retry.allows(attempt, waited, delay):
                    if self._wait(view, failure, delay, attempt, request):
                        waited += delay
                        failure = self.meter.again(answer, request, params)  # every resend is checked, retries too
                        if failure is not None:
                            break
                        continue
                    answer.interrupted = True
            break

        self.adaptations.settle(adapted, failure, params)  # a lesson refused again is not kept (params.py)
        answer.text, answer.usage, answer.finish_reason = draft.text, draft.usage, draft.finish_reason
        answer.thinking = draft.thinking
        answer.model = draft.model or request.model
        if failure is None and not answer.interrupted:
            failure = empty.settle(draft, answer, request.stream)  # no text: a refusal, or a failure that says why
        if failure is not None:
            failure.attempts, failure.waited = attempt, waited
            answer.failure = self._fill(failure, request, credentials, base_url)
        answer.complete = failure is None and not answer.interrupted
        if answer.complete:
            answer.notes += lifecycle.retiring_notes(request.model)
            if fell_back:  # remembered once it has answered: later cells go straight to it, quietly
                self.fallbacks[(base_url, asked)] = request.model
        self.meter.after(ticket, answer, params, getattr(draft, "request_id", None))  # count and price it, however it ended
        answer.metadata = self.secrets(request).redact_tree(answer.metadata)  # saved in the notebook
        self._remember(request, answer)
        if recorded is not None:  # a complete answer is kept for the next run (auto, record, --refresh)
            recorded.record(answer, params, self.secrets(request).values, getattr(draft, "request_id", None))
        return self._finish(answer, view)

    def _remember(self, request: ChatRequest, answer: Answer) -> None:
        if request.remember and (answer.text or answer.complete):
            if request.system:
                self.conversation.system = request.system
            # Resent as history and shown by %chat history: a key a server echoed is masked there too.
            text = self.secrets(request).redact(answer.text)
            self.conversation.record(Exchange(answer.prompt, text, answer.model, answer.complete))

    def _recorded(self, prompt: str, request: ChatRequest):
        """This cell's dealings with the recorded answers (``replay.Recorded``), or None when the cache is off."""
        if request.cache == "off" and not request.refresh:
            return None
        base_url = resolve_base_url(self.credentials.resolve(request.connection), request.base_url)
        now = self.params_for(prompt, request, base_url)
        fresh = build_params(prompt, request, self.conversation)  # by family rules only: a fresh (CI) kernel has learned nothing
        return replay.begin(self.answers, request, base_url, now, fresh)

    def _replayed(self, answer: Answer, request: ChatRequest, recorded, view) -> Answer:
        """A recorded answer, shown and remembered like a live one; or replay mode's panel when there is none."""
        if answer.failure is not None:
            answer.failure = self._fill(answer.failure, request, None, recorded.base_url, suggest=False)
        else:
            answer.complete = True
            self.meter.replayed(answer)  # counted apart, at $0
            self._remember(request, answer)
        return self._finish(answer, view)

    def params_for(self, prompt: str, request: ChatRequest, base_url: str | None = None, conversation: Conversation | None = None) -> dict:
        """The parameters ``ask`` builds for ``prompt`` now, before the context is fitted (the replay lookup key)."""
        if base_url is None:
            base_url = resolve_base_url(self.credentials.resolve(request.connection), request.base_url)
        request = self._remembered_model(request, base_url)
        return self.compose(prompt, request, base_url, conversation)[0]

    def preview(self, prompt: str, request: ChatRequest, conversation: Conversation | None = None):
        """``--dry-run``: the parameters ``ask`` would send now (context fitted), the answer's notes as
        they would be, and the refusal (too large, over budget) when it would send nothing. Sends nothing.

        Through the very steps ``ask`` takes before its first attempt (``_start``, ``_prepare``), so
        what it shows can't drift from what is sent.
        """
        answer, request = _start(prompt, request, self.secrets(request))
        base_url = resolve_base_url(self.credentials.resolve(request.connection), request.base_url)
        _, params, ticket = self._prepare(answer, request, base_url, conversation)
        return params, answer, ticket.refusal

    def _prepare(self, answer: Answer, request: ChatRequest, base_url: str, conversation: Conversation | None = None):
        """What would be sent, and whether it may be: ``(request, params, ticket)``.

        The model remembered for a default that does not exist here, the parameters this endpoint
        and model take with notes on settings ignored (params.py), then the messages fitted to
        the model's context and the budget held (spend.py; ``ticket.refusal`` when nothing may be sent).
        """
        request = self._remembered_model(request, base_url)
        answer.model = request.model
        params, notes = self.compose(answer.prompt, request, base_url, conversation)
        answer.notes += notes
        return request, params, self.meter.before(answer, request, params)

    def compose(self, prompt: str, request: ChatRequest, base_url: str, conversation: Conversation | None = None):
        """Parameters and notes on ignored settings, from what this endpoint and model take (params.py)."""
        compat = self.adaptations.get(base_url, request.model)
        params, notes = build(prompt, request, self.conversation if conversation is None else conversation, compat)
        # What reaches the model: the prompt, the system prompt and every earlier exchange, each with
        # every secret this session knows masked (the replay key is computed from this too).
        params["messages"] = self.secrets(request).redact_tree(params.get("messages") or [])
        return params, notes

    # -- models that don't exist, or soon won't --------------------------------------
    def _remembered_model(self, request: ChatRequest, base_url: str) -> ChatRequest:
        chosen = self.fallbacks.get((base_url, request.model)) if request.model_is_default else None
        return request.but(model=chosen, model_is_default=False) if chosen else request

    def _fall_back(self, failure, answer: Answer, request: ChatRequest, base_url: str):
        """``(request, params, ticket)`` for the model to ask instead when the *default* model does not
        exist here, with a note saying so; None for any other failure, or when the account lists nothing fit.

        Prepared like any request (``_prepare``): the messages are fitted to *that* model's context
        and the budget is held at its price, so the model answering instead gets no request that it
        would refuse as too long, or that the budget does not cover.
        """
        from . import models

        if failure.kind.kind not in (errors.Kind.MODEL_NOT_FOUND, errors.Kind.MODEL_RETIRED) or not request.model_is_default:
            return None
        try:
            chosen = models.fallback(request.model, self.list_models(request))
        except ChatFailure:
            return None
        if not chosen:
            return None
        answer.notes.append(lifecycle.fell_back(request.model, chosen))
        return self._prepare(answer, request.but(model=chosen, model_is_default=False), base_url)

    def _classify(self, exc, partial: bool, request, credentials, base_url) -> errors.Failure:
        """Any exception from a request as a catalog failure, filled in so a countdown can name the base URL.

        Not only ``openai.APIError``: a web page instead of JSON, a proxy, an encoding problem
        reach here too (faults.py), and the user gets a panel, never a traceback.
        """
        if _is_api_error(exc):
            failure = errors.classify(exc, partial=partial, secrets=(credentials.api_key,))
            failure = faults.refine_connection(failure, exc, base_url)
        else:
            failure = faults.classify_other(exc, base_url, secrets=(credentials.api_key,))
        return self._fill(failure, request, credentials, base_url, suggest=False)

    def _connect(self, request: ChatRequest):
        """The client, credentials and base URL for ``request``; ChatFailure when there is no usable key."""
        credentials = self.credentials.resolve(request.connection)
        base_url = resolve_base_url(credentials, request.base_url)
        problem = options.request_problem(request)
        if problem:  # out of range: never sent (the magics check first; plain Python lands here)
            raise ChatFailure(self._fill(errors.Failure(errors.kind_named(errors.Kind.BAD_SETTING), message=problem), request, credentials, base_url, suggest=False))
        unreachable = self._base_url_problem(credentials, request, base_url)
        if unreachable is not None:  # no http:// or https://: said before any request, never "a network problem"
            raise ChatFailure(self._fill(unreachable, request, credentials, base_url, suggest=False))
        if credentials is None:
            raise ChatFailure(self._fill(errors.Failure(errors.kind_named(errors.Kind.MISSING_KEY)), request, None, base_url))
        credentials, problem = usable_key(credentials)
        if problem:
            failure = errors.Failure(errors.kind_named(errors.Kind.MALFORMED_KEY), message=problem)
            raise ChatFailure(self._fill(failure, request, credentials, base_url, suggest=False))
        header = faults.header_problem(credentials)
        if header:  # like a malformed key: it can't go into a header, and it is not a network failure
            failure = errors.Failure(errors.kind_named(errors.Kind.BAD_HEADER), reason=header[0], message=header[1])
            raise ChatFailure(self._fill(failure, request, credentials, base_url, suggest=False))
        try:
            client = self.clients.get(credentials, base_url, request.timeout)
        except Exception as exc:  # the HTTP client refused its settings: a SOCKS proxy without socksio, a bad proxy URL
            failure = faults.classify_other(exc, base_url, secrets=(credentials.api_key,))
            raise ChatFailure(self._fill(failure, request, credentials, base_url, suggest=False)) from None
        return client, credentials, base_url

    @staticmethod
    def _base_url_problem(credentials, request: ChatRequest, base_url: str) -> errors.Failure | None:
        """A base URL without http:// or https://, wherever it was set: the failure that says where, and how to write it."""
        suggested = options.scheme_fix(base_url)
        if suggested is None:
            return None
        if credentials is not None and credentials.base_url:
            where = errors.BASE_URL_WHERE["connection"].fill(connection=request.connection)
        else:
            where = errors.BASE_URL_WHERE["config" if request.base_url else "environment"]
        return errors.Failure(errors.kind_named(errors.Kind.BASE_URL_SCHEME), facts={"url_source": where, "suggested": suggested})

    def _send(self, client, params, request, draft, view, throttle) -> None:
        if not request.stream:
            whole_into(client, params, draft, view)
            return
        stream_into(client, params, draft, view, throttle, request.timeout)  # our SSE reader: one connection per endpoint

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
        failure.base_url = base_url  # for display only (masked below): requests never read it back
        failure.connection = request.connection
        failure.timeout = request.timeout
        if credentials is not None:
            failure.masked_key = credentials.masked_key
            failure.key_source = credentials.source
            failure.organization = credentials.organization
        lifecycle.mark_retired(failure, request.model)
        if suggest and failure.kind.kind in (errors.Kind.MODEL_NOT_FOUND, errors.Kind.MODEL_RETIRED, errors.Kind.CONTEXT_LENGTH):
            failure.suggestions = self._suggest(failure, request)
        # Every field shown (%chat error, panels) may echo the key: masked, with or without its prefix;
        # and the base URL's own secrets (user:password@, ?api-key=) as urls.mask_url shows them.
        known = self.secrets(request).values
        return redact_fields(failure, credentials.api_key if credentials is not None else None, *known, url=base_url)

    def _suggest(self, failure, request) -> list[str]:
        """Only models that fit (lifecycle.py), from the account's list when it can be read."""
        try:
            available = self.list_models(request)
        except ChatFailure:
            available = None
        return lifecycle.suggestions(failure, request.model, available)

    # -- models -------------------------------------------------------------------
    def list_models(self, request: ChatRequest = ChatRequest()) -> list[str]:
        """The account's model ids; within an ``ask``, fetched once and reused (account_models.py)."""
        return self.model_lists.fetch((request.connection, request.base_url), lambda: self._fetch_models(request))

    def _fetch_models(self, request: ChatRequest) -> list[str]:
        client, credentials, base_url = self._connect(request)
        try:  # the raw page: a web page, or entries without ``id``, must not be a traceback (faults.model_ids)
            # A list comes at once or not at all: no model thinks here, so not the chat's long silence.
            timeout = http_timeout(min(request.timeout, LIST_TIMEOUT))
            return faults.model_ids(client.models.with_raw_response.list(timeout=timeout).http_response)
        except Exception as exc:
            self.last_failure = self._classify(exc, False, request, credentials, base_url)  # for %chat error
            raise ChatFailure(self.last_failure) from None

    def reset(self, system: str | None = None) -> None:
        """Forget the conversation; ``system``: the new one's system prompt (``%%chat -s … --new``)."""
        self.conversation.reset()
        if system:
            self.conversation.system = faults.clean_text(system)


def _start(prompt: str, request: ChatRequest, secrets=known_secrets.NONE) -> tuple[Answer, ChatRequest]:
    """The cell's empty ``Answer`` and its request, their text made sendable: a lone surrogate
    (from an interpolated value) can't be encoded as UTF-8; and every secret the session knows masked,
    so neither the history, ``%chat history`` nor the replay file holds one."""
    prompt = secrets.redact(faults.clean_text(prompt))
    if request.system:
        request = request.but(system=secrets.redact(faults.clean_text(request.system)))
    return Answer(prompt=prompt, model=request.model, notes=list(request.notes)), request


def _is_api_error(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APIError)


def _headers(exc):
    response = getattr(exc, "response", None)
    return getattr(response, "headers", None)


__all__ = ["Answer", "ChatFailure", "ChatRequest", "ChatSession", "DEFAULT_CONNECTION"]
