"""The core: ask a model, stream the answer into a view, remember the exchange.

Works without IPython. Failures never raise out of ``ask``: they come back on the
``Answer`` as a catalog ``Failure``, next to whatever text had already arrived.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from . import empty, errors, faults, known_secrets, options, replay, spend
from .answer import Answer, Draft, replayed, taken
from .client import ClientCache, http_timeout, resolve_base_url
from .conversation import Conversation, Exchange
from .i18n import Text
from .defaults import LIST_TIMEOUT
from .credentials import DEFAULT_CONNECTION, CredentialStore, Credentials, usable_key
from .masking import redact_fields
from . import lifecycle  # models coming and going: fallbacks, retirement notes, suggestions
from .account_models import OncePerCell
from .params import Adaptations, Tried, family
from .request import ChatRequest
from .retry import next_delay
from .sse import stream_into, whole_into
from .stream import DEFAULT_INTERVAL, TextView, Throttle
from .wire import endpoints
from .wire.dialect import Outgoing, dialect_for, dialect_named


@dataclass
class Sending:
    """The sends of one question, and the resend policy: what may be sent again, and which attempt it is.

    Only a retry after a failure the catalog retries is a new attempt (``RetryPolicy`` counts them).
    A compatibility resend (a parameter we added that the model refuses: params.py) and a fallback
    (the default model does not exist here) send the same attempt again, each at most once a question.
    """

    request: ChatRequest
    ticket: spend.Ticket
    outgoing: Outgoing
    attempt: int = 1
    waited: float = 0.0
    adapted: Tried = field(default_factory=Tried)
    fell_back: bool = False
    switched: errors.Failure | None = None  # Chat Completions' refusal, when the model was asked on /responses instead


@dataclass(frozen=True)
class Resend:
    """Sending again was decided: ``refusal`` when the budget (or the context) says no after all."""

    refusal: errors.Failure | None = None
    interrupted: bool = False  # the user stopped the countdown


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
        # (endpoint, model) pairs that refused an image: a later image to them is refused before sending.
        self.text_only: set[tuple[str, str]] = set()
        # (endpoint, model) -> the API it answers on, once Chat Completions refused it (wire/endpoints.py).
        self.apis = endpoints.Lessons()
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
        cell = self._replay_cell(answer.prompt, request)  # replay.py: a recorded answer needs no key and sends nothing
        lookup = cell.look_up(answer.prompt) if cell is not None else replay.Lookup()
        answer.notes += lookup.notes
        if cell is not None and lookup.final:
            return self._replayed(answer, request, cell, lookup, view)
        try:
            client, credentials, base_url = self._connect(request)
        except ChatFailure as refused:  # no usable key: nothing is sent
            answer.failure = refused.failure
            return self._finish(answer, view)
        request, ticket = self._prepare(answer, request, base_url)
        if ticket.refusal is not None:  # too large for the model, or over the budget: nothing is sent
            answer.failure = self._stamp(ticket.refusal, request, credentials, base_url, suggest=False)
            return self._finish(answer, view)
        view = self.meter.watch(view)  # prices load once the first text is shown, never before it
        view = known_secrets.masked_view(view, self.secrets(request))  # a key a server echoes is never shown
        sending, asked = Sending(request, ticket, ticket.to_send), request.model
        draft, failure = Draft(), None
        while True:
            draft, failure = Draft(), None
            try:
                self._send(client, sending.outgoing, sending.request, draft, view, Throttle.for_view(view, throttle_interval))
            except KeyboardInterrupt:
                answer.interrupted = True
            except Exception as exc:
                # Thinking counts as an answer begun: the server is working (and billing), so it is never re-sent by itself.
                begun = bool(draft.text or draft.thinking_size)
                failure = self._classify(exc, begun, sending.request, credentials, base_url)
                if draft.accepted and not begun:  # a 2xx came, then nothing: in the server's hands, never re-sent
                    failure = faults.after_acceptance(failure)
                resend = (
                    self._switch(failure, draft, answer, sending, base_url)
                    or self._compatible(failure, draft, answer, sending, base_url)
                    or self._fallback(failure, draft, answer, sending, base_url)
                    or self._retry(exc, failure, begun, answer, sending, view)
                )
                if resend is not None and resend.interrupted:
                    answer.interrupted = True
                elif resend is not None:
                    if resend.refusal is None:
                        continue
                    failure = resend.refusal
            break

        request, outgoing = sending.request, sending.outgoing
        failure = self._switched(failure, draft, answer, sending, base_url)
        self.adaptations.keep_what_worked(sending.adapted, failure, outgoing)  # a lesson refused again is not kept (params.py)
        answer = taken(answer, draft, request.model, outgoing.dialect.ended(draft.reason))
        # A key a server echoes is masked in the answer too: shown, saved in the notebook, stored by --out.
        known = self.secrets(request)  # its exact values only: an answer's example URLs and keys are its content
        answer = replace(answer, text=known.redact_known(answer.text), thinking=known.redact_known(answer.thinking))
        stopped = getattr(outgoing.dialect, "stop_note", None)  # Responses: an incomplete response says why
        if stopped is not None and stopped(draft.reason) is not None:
            answer.notes.append(stopped(draft.reason))
        if failure is None and not answer.interrupted:
            verdict = empty.verdict(draft, request.stream, answer.ended)  # no text: a refusal, or a failure that says why
            failure = verdict.failure
            if verdict.refusal:
                answer.text, answer.refused = verdict.refusal, True
                answer.notes.append(empty.REFUSED)
        if failure is not None:
            if failure.kind.kind == errors.Kind.IMAGES_NOT_READ:
                self.text_only.add((base_url, request.model))
            failure.attempts, failure.waited = sending.attempt, sending.waited
            answer.failure = self._stamp(failure, request, credentials, base_url)
        answer.complete = failure is None and not answer.interrupted
        if answer.complete:
            answer.notes += lifecycle.retiring_notes(request.model)
            if sending.fell_back:  # remembered once it has answered: later cells go straight to it, quietly
                self.fallbacks[(base_url, asked)] = request.model
        figures = outgoing.dialect.figures(answer.usage)
        bill = self.meter.after(sending.ticket, answer, outgoing, figures, draft.request_id, accepted=_billable(draft, answer))  # count and price it, however it ended
        _billed(answer, bill)
        if draft.response_id and answer.metadata:  # Responses: the response's own id beside the request's
            from .provenance import KEY

            answer.metadata[KEY]["response_id"] = draft.response_id
        answer.metadata = self.secrets(request).redact_tree(answer.metadata)  # saved in the notebook
        self._remember(request, answer)
        if cell is not None:  # a complete answer is kept for the next run (auto, record, --refresh)
            answer.notes += cell.keep(answer, outgoing, self.secrets(request).values, draft.request_id)
        return self._finish(answer, view)

    # -- sending again --------------------------------------------------------------------
    def _compatible(self, failure, draft: Draft, answer: Answer, sending: Sending, base_url: str) -> Resend | None:
        """A parameter we added that this model refuses: once without it, or renamed (not a retry)."""
        if draft.text:
            return None
        resent = self.adaptations.resend(failure, sending.outgoing, sending.request, base_url, sending.adapted)
        if resent is None:
            return None
        outgoing, notes = resent
        answer.notes += notes
        return self._checked(answer, sending, outgoing)  # without a refused max tokens it costs more

    def _switch(self, failure, draft: Draft, answer: Answer, sending: Sending, base_url: str) -> Resend | None:
        """Chat Completions refused the model as one that lives on ``/responses``: once there (not a retry).

        Only when the API was not forced (``--api``, ``ChatMagics.api``); the prompt stays as fitted,
        and the resend is checked against the budget like every resend.
        """
        if (sending.switched is not None or draft.text or sending.request.api != "auto"
                or sending.outgoing.dialect.name != endpoints.CHAT or not endpoints.wrong_endpoint(failure)):
            return None
        sending.switched = failure
        request = sending.request.but(api=endpoints.RESPONSES)
        dialect = dialect_named(endpoints.RESPONSES)
        settings, notes = dialect.settings(request, self.adaptations.get(base_url, request.model))
        sending.request = request
        _add_notes(answer, notes)
        return self._checked(answer, sending, Outgoing(sending.outgoing.prompt, settings, dialect))

    def _switched(self, failure, draft: Draft, answer: Answer, sending: Sending, base_url: str):
        """After a switch to ``/responses``: the lesson kept, with one quiet note; or, when this server has
        no ``/responses`` at all, the model's own failure from Chat Completions (no lesson, no loop)."""
        if sending.switched is None:
            if not draft.text and endpoints.path_missing(failure) and sending.outgoing.dialect.path.endswith("/responses"):
                failure.kind = errors.kind_named(errors.Kind.NO_RESPONSES_API)  # sent there first: not the base URL's fault
            return failure
        if failure is not None and not draft.text and endpoints.path_missing(failure):
            answer.notes.append(endpoints.NO_RESPONSES.fill(model=sending.request.model))
            return sending.switched
        if not endpoints.path_missing(failure):
            self.apis.learn(base_url, sending.request.model, endpoints.RESPONSES)
        if failure is None:
            answer.notes.append(endpoints.SWITCHED.fill(model=sending.request.model))
        return failure

    def _fallback(self, failure, draft: Draft, answer: Answer, sending: Sending, base_url: str) -> Resend | None:
        """The default model does not exist here: once, with the best the account lists (not a retry)."""
        if sending.fell_back or draft.text:
            return None
        switched = self._fall_back(failure, answer, sending.request, base_url)
        if switched is None:
            return None
        sending.request, sending.ticket = switched
        sending.outgoing, sending.fell_back = sending.ticket.to_send, True
        return Resend(sending.ticket.refusal)  # too large for that model, or over the budget with it: not sent

    def _retry(self, exc, failure, begun: bool, answer: Answer, sending: Sending, view) -> Resend | None:
        """A failure the catalog retries, before any answer began: after the countdown, the next attempt."""
        request = sending.request
        delay = next_delay(request.retry, sending.attempt, _headers(exc), failure.message)
        if not (failure.retried and not begun and request.retry.allows(sending.attempt, sending.waited, delay)):
            return None
        if not self._wait(view, failure, delay, sending.attempt, request):
            return Resend(interrupted=True)
        sending.waited += delay
        resend = self._checked(answer, sending, sending.outgoing)  # every resend is checked, retries too
        if resend.refusal is None:
            sending.attempt += 1
        return resend

    def _checked(self, answer: Answer, sending: Sending, outgoing: Outgoing) -> Resend:
        ticket = self.meter.again(sending.request, outgoing)
        _add_notes(answer, ticket.notes)
        sending.outgoing = ticket.to_send
        return Resend(ticket.refusal)

    def _remember(self, request: ChatRequest, answer: Answer) -> None:
        if request.remember and (answer.text or answer.complete):
            if request.system:
                self.conversation.system = request.system
            # Resent as history and shown by %chat history: a key a server echoed is masked there too.
            text = self.secrets(request).redact(answer.text)
            labels = tuple(image.label for image in request.images)  # placeholders, never the bytes
            self.conversation.add(Exchange(answer.prompt, text, answer.model, answer.complete, labels))

    def _replay_cell(self, prompt: str, request: ChatRequest) -> replay.CellReplay | None:
        """This cell's dealings with the recorded answers (``replay.CellReplay``), or None when the cache is off."""
        if request.cache == "off" and not request.refresh:
            return None
        base_url = resolve_base_url(self.credentials.resolve(request.connection), request.base_url)
        now = self.compose(prompt, self._remembered_model(request, base_url), base_url)[0]
        # By family rules only, as composed before masking: a fresh (CI) kernel has learned nothing.
        fresh = self.compose(prompt, request, base_url, compat=family(request.model), masked=False)[0]
        return replay.begin(self.answers, request, base_url, now, fresh)

    def _replayed(self, answer: Answer, request: ChatRequest, cell: replay.CellReplay, lookup: replay.Lookup, view) -> Answer:
        """A recorded answer, shown and remembered like a live one; or replay mode's panel when there is none."""
        entry = lookup.found
        if entry is None:
            answer.failure = self._stamp(lookup.failure, request, None, cell.base_url, suggest=False)
            return self._finish(answer, view)
        # What the recorded reason and usage say, in the words of the wire that answered.
        dialect = dialect_named(endpoints.RESPONSES) if _has(entry.usage, "input_tokens") else dialect_for(request)
        answer = replayed(answer, entry.answer, entry.thinking, entry.answered_by or entry.model,
                          replay.usage_object(entry.usage), entry.reason, dialect.ended(entry.reason), entry.date or "?")
        answer.complete = True
        _billed(answer, self.meter.replayed(answer, dialect.figures(answer.usage)))  # counted apart, at $0
        self._remember(request, answer)
        return self._finish(answer, view)

    def preview(self, prompt: str, request: ChatRequest, conversation: Conversation | None = None):
        """``--dry-run``: the parameters ``ask`` would send now (context fitted), the answer's notes as
        they would be, and the refusal (too large, over budget) when it would send nothing. Sends nothing.

        Through the very steps ``ask`` takes before its first attempt (``_start``, ``_prepare``), so
        what it shows can't drift from what is sent.
        """
        answer, request = _start(prompt, request, self.secrets(request))
        base_url = resolve_base_url(self.credentials.resolve(request.connection), request.base_url)
        _, ticket = self._prepare(answer, request, base_url, conversation)
        return ticket.to_send, answer, ticket.refusal

    def _prepare(self, answer: Answer, request: ChatRequest, base_url: str, conversation: Conversation | None = None):
        """What would be sent, and whether it may be: ``(request, ticket)``, ``ticket.outgoing`` the request.

        The model remembered for a default that does not exist here, the settings this endpoint
        and model take with notes on settings ignored (params.py, the dialect), then the prompt fitted
        to the model's context and the budget held (spend.py; ``ticket.refusal`` when nothing may be sent).
        """
        request = self._remembered_model(request, base_url)
        answer.model = request.model
        outgoing, notes = self.compose(answer.prompt, request, base_url, conversation)
        answer.notes += notes
        ticket = self.meter.before(request, outgoing)
        _add_notes(answer, ticket.notes)
        if request.images and ticket.refusal is None and (base_url, request.model) in self.text_only:
            ticket.refusal = errors.Failure(errors.kind_named(errors.Kind.IMAGES_NOT_READ), message=_LEARNED.get("en"))
        return request, ticket

    def compose(self, prompt: str, request: ChatRequest, base_url: str, conversation: Conversation | None = None,
                compat=None, masked: bool = True) -> tuple[Outgoing, list]:
        """The request for ``prompt`` in the dialect that ``request`` speaks, and notes on ignored settings."""
        learned = None if compat is not None else self.apis.get(base_url, request.model)  # a fresh kernel learned nothing
        dialect = dialect_for(request, learned)
        settings, notes = dialect.settings(request, compat or self.adaptations.get(base_url, request.model))
        whole = (self.conversation if conversation is None else conversation).prompt(prompt, request.window, request.system, request.images)
        # What reaches the model: the prompt, the system prompt and every earlier exchange, each with
        # every secret this session knows masked (the replay key is computed from this too).
        if masked:
            whole = whole.map_text(self.secrets(request).redact)
        return Outgoing(whole, settings, dialect), notes

    # -- models that don't exist, or soon won't --------------------------------------
    def _remembered_model(self, request: ChatRequest, base_url: str) -> ChatRequest:
        chosen = self.fallbacks.get((base_url, request.model)) if request.model_is_default else None
        return request.but(model=chosen, model_is_default=False) if chosen else request

    def _fall_back(self, failure, answer: Answer, request: ChatRequest, base_url: str):
        """``(request, ticket)`` for the model to ask instead when the *default* model does not
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
        return self._stamp(failure, request, credentials, base_url, suggest=False)

    def _connect(self, request: ChatRequest):
        """The client, credentials and base URL for ``request``; ChatFailure when there is no usable key."""
        credentials = self.credentials.resolve(request.connection)
        base_url = resolve_base_url(credentials, request.base_url)
        problem = options.request_problem(request)
        if problem:  # out of range: never sent (the magics check first; plain Python lands here)
            raise ChatFailure(self._stamp(errors.Failure(errors.kind_named(errors.Kind.BAD_SETTING), message=problem), request, credentials, base_url, suggest=False))
        unreachable = self._base_url_problem(credentials, request, base_url)
        if unreachable is not None:  # no http:// or https://: said before any request, never "a network problem"
            raise ChatFailure(self._stamp(unreachable, request, credentials, base_url, suggest=False))
        if credentials is None:
            raise ChatFailure(self._stamp(errors.Failure(errors.kind_named(errors.Kind.MISSING_KEY)), request, None, base_url))
        credentials, problem = usable_key(credentials)
        if problem:
            failure = errors.Failure(errors.kind_named(errors.Kind.MALFORMED_KEY), message=problem)
            raise ChatFailure(self._stamp(failure, request, credentials, base_url, suggest=False))
        header = faults.header_problem(credentials)
        if header:  # like a malformed key: it can't go into a header, and it is not a network failure
            failure = errors.Failure(errors.kind_named(errors.Kind.BAD_HEADER), reason=header[0], message=header[1])
            raise ChatFailure(self._stamp(failure, request, credentials, base_url, suggest=False))
        try:
            client = self.clients.get(credentials, base_url, request.timeout)
        except Exception as exc:  # the HTTP client refused its settings: a SOCKS proxy without socksio, a bad proxy URL
            failure = faults.classify_other(exc, base_url, secrets=(credentials.api_key,))
            raise ChatFailure(self._stamp(failure, request, credentials, base_url, suggest=False)) from None
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

    def _send(self, client, outgoing: Outgoing, request: ChatRequest, draft: Draft, view, throttle) -> None:
        body = outgoing.body()
        if not request.stream:
            whole_into(client, outgoing.dialect, body, draft, view)
            return
        stream_into(client, outgoing.dialect, body, draft, view, throttle, request.timeout)  # our SSE reader: one connection per endpoint

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

    def _stamp(self, failure, request, credentials: Credentials | None, base_url: str, suggest: bool = True) -> errors.Failure:
        """``failure`` stamped with what it is about (model, base URL, connection, key source), every field masked."""
        failure.model = request.model
        failure.base_url = base_url  # for display only (masked below): requests never read it back
        failure.connection = request.connection
        failure.timeout = request.timeout
        if credentials is not None:
            failure.masked_key = credentials.masked_key
            failure.key_source = credentials.source
            failure.organization = credentials.organization
        lifecycle.mark_retired(failure, request.model)
        if failure.kind.kind == errors.Kind.IMAGES_NOT_READ:
            suggest = True  # learned before sending too: the panel still names a model that reads images
        if suggest and failure.kind.kind in (errors.Kind.MODEL_NOT_FOUND, errors.Kind.MODEL_RETIRED, errors.Kind.CONTEXT_LENGTH,
                                             errors.Kind.IMAGES_NOT_READ):
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


_LEARNED = Text("It refused an image earlier in this session.", "本会话中它之前拒绝过图像。")


def _billable(draft: Draft, answer: Answer) -> bool:
    """Whether an attempt that brought no text may still be billed: the server accepted it (2xx) and then
    dropped or went silent while the model worked. A 200 that was no answer at all (a captive portal's
    page, a proxy's HTML) costs nothing."""
    failure = answer.failure
    return draft.accepted and failure is not None and failure.kind.kind in (errors.Kind.DROPPED, errors.Kind.TIMEOUT)


def _is_api_error(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APIError)


def _add_notes(answer: Answer, notes) -> None:
    answer.notes += [note for note in notes if note not in answer.notes]


def _billed(answer: Answer, bill: spend.Bill) -> None:
    """What spend.Meter said of the answer: its time, figures and cost when counted, notes, provenance."""
    answer.elapsed = bill.elapsed
    if bill.figures is not None:
        answer.figures, answer.cost = bill.figures, bill.cost
    _add_notes(answer, bill.notes)
    if bill.metadata:
        answer.metadata = bill.metadata


def _has(usage, name: str) -> bool:
    return isinstance(usage, dict) and name in usage


def _headers(exc):
    response = getattr(exc, "response", None)
    return getattr(response, "headers", None)


__all__ = ["Answer", "ChatFailure", "ChatRequest", "ChatSession", "DEFAULT_CONNECTION"]
