"""Each model's price rates from genai-prices, read once, so pricing an answer is arithmetic.

``genai_prices.calc_price`` resolves the model and walks its unit registry at every call
(about 0.1 ms), and a fresh kernel must first import its table (about 40 ms warm, 0.4 s
cold), which the first answer of every kernel waited for. So the rates genai-prices uses for
a model are taken from it once: kept in memory for the session, and in a small file
(``$XDG_CACHE_HOME/chatwithtech_magic/prices.json``) for the next kernel, valid only for
the installed genai-prices (its data file's path, size and time). A model genai-prices does
not know is remembered as unknown the same way.

No price is written by hand: rates are copied from genai-prices' own record of the model,
and kept only when the arithmetic here gives exactly genai-prices' result on probes on each
side of every tier threshold. A model priced by date (``ConditionalPrice``), priced by
another kind of unit, or one that fails a probe, is priced by genai-prices at every call.
"""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal

MILLION = Decimal(1_000_000)
# The token prices a chat answer uses: (genai-prices key, which count it applies to).
TOKEN_KEYS = ("input_mtok", "cache_read_mtok", "output_mtok")
# Units a chat completion's usage never reports: their prices apply to a count of 0.
UNUSED_KEYS = {"cache_write_mtok", "web_searches_kcount", "storage_searches_kcount", "input_audio_mtok",
               "output_audio_mtok", "cache_audio_read_mtok"}
UNKNOWN = "unknown"  # genai-prices has no price for the name
_ASK = "ask"  # rates that can't be kept: genai-prices prices every answer (in memory only)

_lock = threading.Lock()
_memory: dict[str, dict | str] = {}  # name -> rates, or UNKNOWN
_disk: dict | None = None  # the file's entries, once read and found valid for this genai-prices
_version: str | None = None  # genai-prices' version, as recorded with the rates


def cache_path() -> str:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "chatwithtech_magic", "prices.json")


def _fingerprint() -> str | None:
    """Which genai-prices is installed, without importing it: its data file's path, size and time."""
    try:
        from importlib.util import find_spec

        spec = find_spec("genai_prices")
        if spec is None or not spec.origin:
            return None
        data = os.path.join(os.path.dirname(spec.origin), "data.py")
        stat = os.stat(data)
        return f"{data}:{stat.st_size}:{stat.st_mtime_ns}"
    except Exception:
        return None


def _read_disk() -> dict:
    global _disk, _version
    if _disk is None:
        _disk = {}
        try:
            saved = json.loads(_read_capped(cache_path()))
            if isinstance(saved, dict) and saved.get("genai_prices") == _fingerprint() and isinstance(saved.get("models"), dict):
                _disk, _version = saved["models"], saved.get("version")
        except Exception:  # no file yet, unreadable, or another genai-prices: asked again
            pass
    return _disk


MOST_FILE_BYTES = 4 << 20  # the kept rates of every model there is are a few kilobytes


def _read_capped(path: str) -> bytes:
    """The file's bytes: a regular file only, never through a link, at most ``MOST_FILE_BYTES`` (safe_file.py)."""
    from .safe_file import open_regular, read_capped

    fd = open_regular(path)
    try:
        return read_capped(fd, MOST_FILE_BYTES)
    finally:
        os.close(fd)


def known(name: str):
    """The rates kept for ``name``, ``UNKNOWN``, or None when genai-prices must be asked."""
    found = _memory.get(name)
    if found == _ASK:
        return None
    if found is None:
        found = _read_disk().get(name)
        if found is None or (found != UNKNOWN and not _readable(found)):  # a damaged entry: asked again
            return None
        _memory[name] = found
    if isinstance(found, dict) and "until" in found and _today() >= found["until"]:
        _memory.pop(name, None)  # a new price starts today: genai-prices is asked again
        return None
    return found


MOST_PER_MILLION = Decimal(100_000)  # no model costs this per million tokens: a larger rate is damage


def _readable(rates) -> bool:
    """Rates read from disk are input like any other: only the keys written here, each price a finite,
    non-negative decimal below ``MOST_PER_MILLION`` (``NaN``, ``-1``, ``Infinity`` and ``1e999`` are
    damage: a ``decimal.InvalidOperation`` or a negative spend), tiers as ``[start, price]`` pairs."""
    if not isinstance(rates, dict) or not isinstance(rates.get("until", ""), str):
        return False
    for key, value in rates.items():
        if key == "until":
            continue
        if key not in TOKEN_KEYS:
            return False
        if isinstance(value, dict):
            tiers = value.get("tiers")
            if set(value) != {"base", "tiers"} or not _price(value["base"]) or not isinstance(tiers, list):
                return False
            for tier in tiers:
                if not (isinstance(tier, list) and len(tier) == 2 and type(tier[0]) is int and tier[0] >= 0 and _price(tier[1])):
                    return False
        elif not _price(value):
            return False
    try:
        cost(rates, 300_000, 1, 1)  # every kind of value it holds, read once
    except Exception:
        return False
    return True


def _price(value) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        number = Decimal(value)
    except ArithmeticError:  # decimal.InvalidOperation: not a number at all
        return False
    return number.is_finite() and Decimal(0) <= number < MOST_PER_MILLION


def _today() -> str:
    from . import clock

    return clock.today().isoformat()  # as genai-prices compares start dates: the UTC date


def ready() -> bool:
    """Whether a valid file was found: then the price table need not be loaded in advance."""
    return bool(_read_disk())


def version() -> str | None:
    return _version


def cost(rates: dict, prompt: int, completion: int, cached: int) -> Decimal:
    """What genai-prices computes for these counts: each unit's price times its count, per million."""
    counts = {"input_mtok": prompt - cached if "cache_read_mtok" in rates else prompt,
              "cache_read_mtok": cached, "output_mtok": completion}
    total = Decimal(0)
    for key in TOKEN_KEYS:
        if key in rates:
            total += _rate(rates[key], prompt) * counts[key] / MILLION
    return total


def _rate(value, prompt: int) -> Decimal:
    """A flat price, or genai-prices' tier rule: the last tier whose start the prompt exceeds."""
    if isinstance(value, str):
        return Decimal(value)
    rate = Decimal(value["base"])
    for start, price in reversed(value["tiers"]):
        if prompt > start:
            return Decimal(price)
    return rate


def learn(genai_prices, name: str, provider: str, calc) -> None:
    """Take ``name``'s rates from genai-prices (``calc(name, prompt, completion, cached)`` is its price)."""
    if _memory.get(name) == _ASK:
        return
    try:
        rates = _rates_of(genai_prices, name, provider)
    except LookupError:
        rates = UNKNOWN
    except Exception:  # another shape of price
        rates = None
    if rates is not UNKNOWN and (rates is None or not _agrees(rates, calc, name)):
        _memory[name] = _ASK  # genai-prices is asked at every call, and this is not tried again
        return
    global _version
    with _lock:
        _memory[name] = rates
        _version = getattr(genai_prices, "__version__", None)
        _save(name, rates)


def _rates_of(genai_prices, name: str, provider: str) -> dict | None:
    from genai_prices.types import ModelPrice, StartDateConstraint, TieredPrices

    snapshot = genai_prices.data_snapshot.get_snapshot()
    if snapshot is not genai_prices.data_snapshot._bundled_snapshot():
        return None  # a snapshot someone set (UpdatePrices): it may change while the kernel runs
    _, model = snapshot.find_provider_model(name, None, provider, None)
    prices, until = model.prices, None
    if not isinstance(prices, ModelPrice):  # priced by date: the price in force, kept until the next one starts
        from . import clock

        now = clock.now()
        if not all(c.constraint is None or type(c.constraint) is StartDateConstraint for c in prices):
            return None  # time of day (off-peak prices): left to genai-prices
        prices = model.get_prices(now)
        starts = [c.constraint.start_date for c in prices_list(model) if c.constraint is not None and c.constraint.start_date > now.date()]
        until = min(starts).isoformat() if starts else None
        if not isinstance(prices, ModelPrice):
            return None
    rates = {"until": until} if until else {}
    for key, value in prices.__dict__.items():
        if value is None or key.startswith("_") or key == "price_variants":
            continue
        if key in UNUSED_KEYS or key == "until":
            continue
        if key not in TOKEN_KEYS:
            return None  # a per-request fee, audio, ...: left to genai-prices
        if isinstance(value, TieredPrices):
            rates[key] = {"base": str(value.base), "tiers": [[int(t.start), str(t.price)] for t in value.tiers]}
        elif isinstance(value, Decimal):
            rates[key] = str(value)
        else:
            return None
    return rates


def prices_list(model) -> list:
    return list(model.prices) if isinstance(model.prices, list) else []


def _agrees(rates: dict, calc, name: str) -> bool:
    starts = {0}
    for key, value in rates.items():
        if key in TOKEN_KEYS and isinstance(value, dict):
            starts.update(start for start, _ in value["tiers"])
    probes = []
    for start in sorted(starts):
        for prompt in (start, start + 1, start + 1_234_567):
            probes += [(prompt, 987, 0), (prompt, 3, prompt // 3)]
    probes.append((1, 0, 0))
    try:
        return all(cost(rates, p, c, k) == calc(name, p, c, k) for p, c, k in probes)
    except Exception:
        return False


def _save(name: str, rates) -> None:
    fingerprint = _fingerprint()
    if fingerprint is None:
        return
    models = dict(_read_disk())
    models[name] = rates
    path = cache_path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump({"genai_prices": fingerprint, "version": _version, "models": models}, file)
        os.replace(temporary, path)  # whole or not at all, with two kernels writing at once
        _disk.update({name: rates})
    except Exception:  # a read-only home: the rates stay in memory for this session
        pass


def forget() -> None:
    """For tests: as in a fresh process."""
    global _disk, _version
    _memory.clear()
    _disk, _version = None, None
