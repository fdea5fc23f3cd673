"""What an answer cost, from ``genai-prices`` (pydantic's maintained price table, MIT).

genai-prices applies the cached-token and tier rules, so no price is written by hand here.
It is offline: it prices from the table shipped inside the package and fetches newer
prices only when its ``UpdatePrices`` is started, which this package never does.

``import genai_prices`` takes about 0.4 s on a cold start, so it is kept off ``%load_ext``
and out of the time before the first token: ``warm()`` imports it on a background thread
once the first text of an answer is on screen (``spend.Meter.watch``), while the rest
streams in, and ``price()`` (called when the answer has finished) waits for that import.
Only a budget needs a price before sending: then the first cell waits for it, once.
Once a model has been priced, its rates are kept (``price_rates.py``): later answers, and the
next kernel, are priced by arithmetic, and the table is not loaded at all when the kept rates
cover the model.

A model it does not know gets ``None``: the answer shows its tokens only, never a guess.
A gateway's name (``openai/gpt-4.1-mini``, ``azure/gpt-4o``) is priced as the model after
the last slash, at OpenAI's price.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from . import price_rates
from .tokens import Figures

PROVIDER = "openai"  # Chat Completions speaks OpenAI's protocol; gateways serve OpenAI's names

_lock = threading.Lock()  # starting the thread
_loading = threading.Lock()  # the import itself: held by whichever thread does it
_thread: threading.Thread | None = None
_module = None  # genai_prices, once imported
_failed = False  # not installed, or broken: prices are then unknown, never a crash


def _load() -> None:
    """Import genai-prices once; on the background thread, or on the caller's when that never ran."""
    global _module, _failed
    with _loading:
        if _module is not None or _failed:
            return
        try:
            import genai_prices

            # Parse the bundled price data now too (the first lookup would otherwise pay for it).
            genai_prices.data_snapshot.get_snapshot()
            _module = genai_prices
        except Exception:  # an ImportError, or a broken install: tokens only
            _failed = True


def warm() -> None:
    """Start importing genai-prices in the background (once per process)."""
    global _thread
    with _lock:
        if _thread is None and _module is None and not _failed and not price_rates.ready():  # rates kept: no table needed
            _thread = threading.Thread(target=_load, name="chatwithtech-prices", daemon=True)
            _thread.start()


def _ready():
    # Not ``_thread.join()``: a Ctrl-C that lands inside ``warm()`` (the user stops a cell just as
    # its first text shows) can leave a thread that never started, and joining it raises
    # RuntimeError, a traceback in place of the interrupted answer. The lock waits for a load
    # under way on the thread, and a load that never began happens here.
    _load()
    return _module


def candidates(model: str) -> list[str]:
    """The names to look ``model`` up by: as is, then a gateway's name without its prefix."""
    names = [model]
    if "/" in model:
        names.append(model.rsplit("/", 1)[-1])
    return [name for name in dict.fromkeys(n.strip() for n in names) if name]


def price(model: str, figures: Figures | None) -> Decimal | None:
    """The estimated price in US dollars of ``figures`` on ``model``; None when it is unknown.

    A model's rates are taken from genai-prices once (``price_rates.py``); after that, and in
    the next kernel, pricing is arithmetic and needs no import of the table.
    """
    if not model or figures is None:
        return None
    cached = min(figures.cached, figures.prompt)
    for name in candidates(model):
        rates = price_rates.known(name)
        if rates == price_rates.UNKNOWN:
            continue
        if rates is not None:
            return price_rates.cost(rates, figures.prompt, figures.completion, cached)
        prices = _ready()
        if prices is None:
            return None
        try:
            result = _calc(name, figures.prompt, figures.completion, cached)
        except LookupError:
            price_rates.learn(prices, name, PROVIDER, _calc)  # remembered as unknown
            continue
        except Exception:  # a price rule the table can't apply (tiers, a bad entry): unknown, not a crash
            return None
        price_rates.learn(prices, name, PROVIDER, _calc)
        return result
    return None


def priced(figures: Figures | None, *names: str) -> tuple[Decimal | None, str | None]:
    """The price of ``figures`` by the first of ``names`` that has one, and that name: the server's
    name first, then the one asked for (an Azure or LiteLLM deployment answers with its own name)."""
    for name in dict.fromkeys(n for n in names if n):
        cost = price(name, figures)
        if cost is not None:
            return cost, name
    return None, None


_highest: tuple[Decimal, Decimal] | None = None


def highest(figures: Figures | None) -> Decimal | None:
    """``figures`` at the highest input and output rates the price table lists for OpenAI's models:
    what an answer with no known price counts against a budget (spend.py), so a budget is never off.
    None only when there is no price table at all (genai-prices missing or broken)."""
    global _highest
    if figures is None:
        return None
    if _highest is None:
        prices = _ready()
        if prices is None:
            return None
        try:
            _highest = _highest_rates(prices)
        except Exception:  # another shape of table: no rule can be stated from it
            return None
    prompt_rate, completion_rate = _highest
    return (prompt_rate * figures.prompt + completion_rate * figures.completion) / price_rates.MILLION


def _highest_rates(genai_prices) -> tuple[Decimal, Decimal]:
    from . import clock

    from genai_prices.types import ModelPrice, TieredPrices

    found = {"input_mtok": Decimal(0), "output_mtok": Decimal(0)}
    provider = genai_prices.data_snapshot.get_snapshot().find_provider(None, PROVIDER, None)
    for model in provider.models:
        prices = model.prices if isinstance(model.prices, ModelPrice) else model.get_prices(clock.now())
        for key, highest_yet in found.items():
            value = getattr(prices, key, None)
            if isinstance(value, TieredPrices):
                value = max([value.base, *(tier.price for tier in value.tiers)])
            if isinstance(value, Decimal) and value.is_finite() and value > highest_yet:
                found[key] = value
    return found["input_mtok"], found["output_mtok"]


def _calc(name: str, prompt: int, completion: int, cached: int) -> Decimal:
    """genai-prices' price (the table must be loaded)."""
    usage = _module.Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=min(cached, prompt) or None)
    from . import clock  # the price in force on the package's clock, not the system's (tests pin it)

    return Decimal(_module.calc_price(usage, name, provider_id=PROVIDER, genai_request_timestamp=clock.now()).total_price)


def version() -> str | None:
    """The genai-prices version the prices come from (loaded, or recorded with the kept rates)."""
    if _module is not None:
        return getattr(_module, "__version__", None)
    return price_rates.version()


def format_cost(cost: Decimal | float | None, approximate: bool = True) -> str:
    """``≈$0.0012``: two significant digits under a dollar, cents above; empty when unknown."""
    if cost is None:
        return ""
    value = Decimal(str(cost)) if not isinstance(cost, Decimal) else cost
    mark = "≈" if approximate else ""
    if value <= 0:
        return f"{mark}$0"
    if value >= 1:
        return f"{mark}${value:,.2f}"
    if value < Decimal("0.000001"):
        return "<$0.000001"
    decimals = max(2, -value.adjusted() + 1)
    return f"{mark}${value:.{decimals}f}"
