"""The session's spend: every answer's tokens and estimated cost, and a budget that holds.

``Meter.before`` runs after the request's prompt is built and before anything is sent:
it makes the prompt fit the model's context window (``fit.py``) and refuses a request
that the budget can't cover. ``Meter.after`` runs when the answer is over, however it
ended: it counts the figures (or an estimate when a cut-off stream never sent them), prices
them (``pricing.py``), keeps them in the ``Ledger`` and returns the answer's ``Bill``: its
cost, notes and provenance metadata.

Budget rule (``ChatMagics.budget``, US dollars per session, 0 = no cap): nothing is sent
when the session has already spent the budget, or when this request's own estimate would
cross it. The estimate is the prompt's estimated tokens plus max tokens *when set*; with
no max tokens the answer's size is unknown and is not guessed (assuming a model's largest
possible answer, 128k tokens, would make a $1 budget refuse every request). When max tokens
was asked for but is not sent (the server refused it: params.py), the answer's size is bounded
by nothing but the model, so the estimate takes the model's largest answer. Every request is
checked, resends included (``Meter.again``: a parameter dropped, another model, a retry).

Prices: an answer is priced by the server's name for the model, else by the name asked for (an
Azure or LiteLLM deployment answers with its own name). One with no known price under either
name is shown without a cost (never a guess), yet counts against the budget at the highest rates
the price table lists for OpenAI's models (``pricing.highest``); a request to such a model is
estimated at those rates too. So a budget is never silently off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from . import clock, errors, models, pricing, provenance
from .fit import fit
from .i18n import Text
from .saved_names import CACHED_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS, REASONING_TOKENS
from .tokens import Figures, approx, estimate
from .wire.dialect import Outgoing

WARN_AT = Decimal("0.8")  # a quiet line under each answer from 80 % of the budget on

NOTES = {
    "dropped": Text(
        "{count} earlier exchanges left out to fit {model}'s context",
        "为适应 {model} 的上下文，省略了之前的 {count} 轮对话",
    ),
    "dropped_one": Text(
        "1 earlier exchange left out to fit {model}'s context",
        "为适应 {model} 的上下文，省略了之前的 1 轮对话",
    ),
    "near_budget": Text(
        "{spent} of this session's {budget} budget spent ({percent}%)",
        "本会话已花费 {spent}，占 {budget} 预算的 {percent}%",
    ),
}
ESTIMATE_PARTS = {
    "prompt": Text("{tokens} prompt tokens", "{tokens} 个提示令牌"),
    "max": Text("{tokens} prompt tokens + up to {max_tokens} answer tokens", "{tokens} 个提示令牌 + 最多 {max_tokens} 个回答令牌"),
    "unknown": Text(
        "no known price for {model}: counted at the highest known rate, {tokens} prompt tokens + up to {max_tokens} answer tokens",
        "{model} 没有已知价格：按已知最高价格计算，{tokens} 个提示令牌 + 最多 {max_tokens} 个回答令牌",
    ),
}


def dollars(value: Decimal | float) -> str:
    """A budget: ``$1.00``; a budget under a cent keeps its digits (``$0.0005``)."""
    value = Decimal(str(value))
    if value == 0 or value >= Decimal("0.01"):
        return f"${value:,.2f}"
    return "$" + format(value.normalize(), "f")


@dataclass
class Spent:
    """One answer in the ledger."""

    model: str
    figures: Figures
    cost: Decimal | None  # None: no known price for the model
    replayed: bool = False  # a recorded answer replayed: counted apart, at $0
    at: float = field(default_factory=clock.timestamp)


class Ledger:
    """Every answer of this session, with its figures and estimated cost."""

    def __init__(self):
        self.entries: list[Spent] = []

    def add(self, model: str, figures: Figures | None, cost: Decimal | float | None = None, replayed: bool = False) -> Spent:
        """Count one answer; no ``figures``: nothing is known, an estimate of 0."""
        figures = figures or Figures(estimated=True)
        if replayed:
            cost = Decimal(0)
        elif cost is not None and not isinstance(cost, Decimal):
            cost = Decimal(str(cost))
        entry = Spent(model or "?", figures, cost, replayed)
        self.entries.append(entry)
        return entry

    @property
    def spent(self) -> Decimal:
        """The estimated spend of the answers that were paid for (replayed ones are free)."""
        return sum((e.cost for e in self.entries if e.cost is not None and not e.replayed), Decimal(0))

    @property
    def counted(self) -> Decimal:
        """What the budget holds against: ``spent``, plus each answer with no known price at the highest
        known rates (``pricing.highest``; asked only when there is such an answer and a budget)."""
        unpriced = [e.figures for e in self.entries if e.cost is None and not e.replayed]
        return self.spent + sum((pricing.highest(f) or Decimal(0) for f in unpriced), Decimal(0))

    @property
    def unpriced(self) -> int:
        """Answers whose model has no known price, so ``spent`` leaves them out."""
        return sum(1 for e in self.entries if e.cost is None and not e.replayed)

    def rows(self) -> list[dict]:
        """One row per model (replayed answers in rows of their own), in order of first use."""
        rows: dict[tuple[str, bool], dict] = {}
        for e in self.entries:
            row = rows.setdefault((e.model, e.replayed), _row(e.model, e.replayed))
            _add_to(row, e)
        return [_unknown_cost(row) for row in rows.values()]

    def totals(self) -> dict:
        """What was sent and paid for: replayed answers have rows of their own and stay out of the total."""
        total = _row("total", False)
        for e in self.entries:
            if not e.replayed:
                _add_to(total, e)
        del total["replayed"]
        return _unknown_cost(total)

    def reset(self) -> None:
        self.entries.clear()


def _row(model: str, replayed: bool) -> dict:
    return {
        "model": model,
        "replayed": replayed,
        "requests": 0,
        PROMPT_TOKENS: 0,
        COMPLETION_TOKENS: 0,
        CACHED_TOKENS: 0,
        REASONING_TOKENS: 0,
        "cost_usd": 0.0,  # None when no answer of the row has a known price
        "unpriced": 0,  # requests whose model has no known price (their cost is not in cost_usd)
        "estimated_tokens": False,  # some counts are estimates (a stream cut off before its usage)
    }


def _unknown_cost(row: dict) -> dict:
    """No price known for any of the row's answers: its cost is None, not a misleading $0."""
    if row["requests"] and row["unpriced"] == row["requests"]:
        row["cost_usd"] = None
    return row


def _add_to(row: dict, e: Spent) -> None:
    row["requests"] += 1
    row[PROMPT_TOKENS] += e.figures.prompt
    row[COMPLETION_TOKENS] += e.figures.completion
    row[CACHED_TOKENS] += e.figures.cached
    row[REASONING_TOKENS] += e.figures.reasoning
    row["estimated_tokens"] = row["estimated_tokens"] or e.figures.estimated
    if e.cost is None:
        row["unpriced"] += 1
    elif not e.replayed:
        row["cost_usd"] = float(Decimal(str(row["cost_usd"])) + e.cost)


@dataclass
class Ticket:
    """One request between ``before`` and ``after``."""

    started: float  # time.monotonic() when it was about to be sent
    sent_at: float  # clock.timestamp(), for the provenance record
    prompt_estimate: int
    outgoing: Outgoing | None = None  # what to send: the prompt fitted to the model's context
    dropped: int = 0
    refusal: errors.Failure | None = None  # set when nothing may be sent
    notes: list[Text] = field(default_factory=list)  # for the answer: exchanges left out

    @property
    def to_send(self) -> Outgoing:
        """The request as it may be sent (``Meter.before`` always sets it; a replay's ticket has none)."""
        if self.outgoing is None:
            raise ValueError("a ticket from Meter.before holds the request")
        return self.outgoing


@dataclass
class Bill:
    """What ``after`` says of an answer: its figures and cost (None: not counted), time, notes, provenance."""

    figures: Figures | None = None
    cost: Decimal | None = None
    elapsed: float | None = None
    notes: list[Text] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


class Meter:
    """What the session spends. ``budget`` (US dollars, 0 = no cap) is set by the magics before each cell."""

    def __init__(self, ledger: Ledger | None = None, budget: float = 0.0):
        self.ledger = ledger or Ledger()
        self.budget = budget

    # -- before sending -------------------------------------------------------------------
    def before(self, request, outgoing: Outgoing) -> Ticket:
        """Fit the prompt of ``outgoing`` to the model and check the budget; ``refusal`` when not to send."""
        model = outgoing.model or request.model
        reserve = outgoing.dialect.max_tokens(outgoing.settings)
        fitted = fit(outgoing.prompt, model, reserve)
        ticket = Ticket(time.monotonic(), clock.timestamp(), fitted.tokens, outgoing, fitted.dropped)
        if fitted.too_large:
            ticket.refusal = self._too_large(model, fitted, request)
            return ticket
        if fitted.dropped:
            ticket.outgoing = outgoing.but(prompt=fitted.prompt)
            note = NOTES["dropped_one"] if fitted.dropped == 1 else NOTES["dropped"]
            ticket.notes.append(note.fill(count=fitted.dropped, model=model))
        if not reserve and request.max_tokens:  # asked for, not sent (refused): nothing caps the answer
            reserve = models.max_output(model) or UNCAPPED_ANSWER
        ticket.refusal = self._over_budget(model, fitted.tokens, reserve)
        return ticket

    def again(self, request, outgoing: Outgoing) -> Ticket:
        """The budget checked again before a resend (a parameter dropped or renamed, a retry): its
        ``refusal`` when it may not be sent. A resend without the max tokens checked before costs more."""
        return self.before(request, outgoing)

    def watch(self, view):
        """``view``, loading the price table once the first text of the answer is on screen."""
        return _PricesAfterFirstText(view)

    def _too_large(self, model: str, fitted, request) -> errors.Failure:
        failure = errors.Failure(errors.kind_named(errors.Kind.CELL_TOO_LARGE), model=model)
        failure.facts = {"cell_tokens": f"{fitted.tokens:,}", "context_window": f"{fitted.limit:,}"}  # the text says "about"
        try:
            from .models import larger_context

            failure.suggestions = larger_context(model, None, limit_tokens=fitted.tokens + (request.max_tokens or 0))[:3]
        except Exception:  # suggestions are a courtesy: the model table is another module's data
            failure.suggestions = []
        return failure

    def _over_budget(self, model: str, prompt_estimate: int, max_tokens: int) -> errors.Failure | None:
        if self.budget <= 0:
            return None
        budget = Decimal(str(self.budget))
        spent = self.ledger.counted
        figures = Figures(prompt=prompt_estimate, completion=max_tokens, estimated=True)
        cost = pricing.price(model, figures)
        unknown = cost is None
        if unknown:  # no known price: estimated at the highest known rates, as its answer will be counted
            cost = pricing.highest(figures)
        if spent < budget and (cost is None or spent + cost <= budget):
            return None
        if unknown:
            part = ESTIMATE_PARTS["unknown"]
        else:
            part = ESTIMATE_PARTS["max"] if max_tokens else ESTIMATE_PARTS["prompt"]
        needed = spent + (cost or Decimal(0))
        raise_to = max(budget * 2, (needed * Decimal("1.5")).quantize(Decimal("0.01"), rounding=ROUND_CEILING))
        failure = errors.Failure(errors.kind_named(errors.Kind.BUDGET_REACHED), model=model)
        failure.facts = {
            "spent": pricing.format_cost(spent),
            "budget": dollars(budget),
            "cell_cost": pricing.format_cost(cost) if cost is not None else "?",
            "estimate": part.fill(tokens=approx(prompt_estimate), max_tokens=f"{max_tokens:,}", model=model),  # in the user's language when shown
            "raise_to": f"{raise_to:.2f}",
        }
        return failure

    # -- when the answer is over ---------------------------------------------------------
    def after(self, ticket: Ticket, answer, outgoing: Outgoing, figures: Figures | None,
              request_id: str | None = None, accepted: bool = False) -> Bill:
        """Count and price ``answer`` (complete, cut off, interrupted or failed), its ``figures`` as its
        usage reported them (None: not reported). ``accepted``: the server answered 2xx, so even with no
        text it had the prompt (and may bill it): counted as the prompt's estimate."""
        bill = Bill(elapsed=time.monotonic() - ticket.started)
        thinking = answer.thinking  # generated and billed like the answer, though never part of it
        answered = answer.text or thinking or accepted or (answer.interrupted and answer.failure is None)  # not a Ctrl-C in a retry's countdown
        if figures is None and answered:
            # The stream stopped before its usage chunk: the prompt was still processed and the
            # partial answer generated, so they count, as an estimate.
            figures = Figures(prompt=ticket.prompt_estimate, completion=estimate(answer.text + thinking), estimated=True)
        model = answer.model or outgoing.model
        if figures is not None:
            # By the server's name, else by the name asked for (a deployment answers with its own name).
            cost = pricing.priced(figures, model, outgoing.model)[0]
            entry = self.ledger.add(model, figures, cost)
            bill.figures, bill.cost = entry.figures, entry.cost
            bill.notes = self._budget_notes()
        if answer.text:
            from .prompt import images_of

            sent = provenance.parameters(outgoing.dialect.plain_settings(outgoing.settings), len(outgoing.prompt.turns()),
                                         images_of(outgoing.prompt.cell))
            bill.metadata = provenance.describe(answer, bill, sent, ticket, request_id)
        return bill

    def replayed(self, answer, figures: Figures | None) -> Bill:
        """A recorded answer shown again (replay.py): no request, so counted apart at $0."""
        entry = self.ledger.add(answer.model, figures, replayed=True)
        bill = Bill(entry.figures, entry.cost, 0.0)
        if answer.text:
            ticket = Ticket(time.monotonic(), clock.timestamp(), entry.figures.prompt)
            bill.metadata = provenance.describe(answer, bill, provenance.parameters({"model": answer.model}, 0), ticket)
        return bill

    def _budget_notes(self) -> list[Text]:
        if self.budget <= 0:
            return []
        budget, spent = Decimal(str(self.budget)), self.ledger.counted
        if spent >= budget * WARN_AT:
            percent = int(spent * 100 / budget)
            return [NOTES["near_budget"].fill(spent=pricing.format_cost(spent), budget=dollars(budget), percent=percent)]
        return []


class _PricesAfterFirstText:
    """Passes everything on to ``view``; its first ``update`` also starts loading genai-prices.

    Started when the request is sent, the 0.4 s import competed for the interpreter with
    the first request's own work and delayed the first token by about 0.2 s (measured on
    the loopback server). Started once the first text is shown, it overlaps the rest of
    the stream, and the price is ready, or nearly, when the answer ends.
    """

    def __init__(self, view):
        self._view = view

    def update(self, text: str) -> None:
        self._view.update(text)
        pricing.warm()

    def __getattr__(self, name):
        return getattr(self._view, name)


UNCAPPED_ANSWER = 128_000  # a model whose largest answer is not in the model table: today's largest


__all__ = ["Bill", "Ledger", "Meter", "Spent", "Ticket"]
