"""Price rates kept from genai-prices (price_rates.py): the same price, without the table's import in the next kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from chatwithtech_magic import price_rates, pricing
from chatwithtech_magic.tokens import Figures


def genai(model: str, prompt: int, completion: int, cached: int) -> Decimal | None:
    import genai_prices

    for name in pricing.candidates(model):
        try:
            usage = genai_prices.Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=min(cached, prompt) or None)
            return Decimal(genai_prices.calc_price(usage, name, provider_id="openai").total_price)
        except LookupError:
            continue
    return None


@pytest.fixture
def fresh_rates(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    price_rates.forget()
    yield tmp_path
    price_rates.forget()


FIGURES = [(0, 0, 0), (1, 1, 0), (1111, 123, 100), (272_000, 10, 5), (272_001, 10, 5), (300_000, 4_000, 299_999), (2_000_000, 50_000, 7)]


@pytest.mark.parametrize("model", ["gpt-4.1-mini", "gpt-6-luna", "gpt-5.6-luna", "gpt-4o", "openai/gpt-4.1-mini", "o3"])
def test_a_price_from_kept_rates_is_exactly_the_genai_prices_price_on_each_side_of_every_tier(fresh_rates, model):
    for prompt, completion, cached in FIGURES * 2:  # the second round prices from the kept rates
        figures = Figures(prompt=prompt, completion=completion, cached=cached)
        assert pricing.price(model, figures) == genai(model, prompt, completion, cached)


KERNEL = """
import sys
from chatwithtech_magic import pricing
from chatwithtech_magic.tokens import Figures
cost = pricing.price(sys.argv[1], Figures(prompt=1111, completion=123, cached=100))
print(repr(str(cost)), "genai_prices" in sys.modules, pricing.version())
"""


def kernel(model: str, cache) -> list[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", KERNEL, model], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_next_kernel_prices_a_known_model_without_loading_the_price_table(tmp_path):
    import genai_prices

    first, second = kernel("gpt-4.1-mini", tmp_path), kernel("gpt-4.1-mini", tmp_path)

    expected = repr(str(genai("gpt-4.1-mini", 1111, 123, 100)))
    assert first == [expected, "True", genai_prices.__version__]
    assert second == [expected, "False", genai_prices.__version__]  # the same price and source, no import


def test_a_model_without_a_known_price_stays_unpriced_in_the_next_kernel_without_loading_the_table(tmp_path):
    first, second = kernel("llama-3-70b-local", tmp_path), kernel("llama-3-70b-local", tmp_path)

    assert first[:2] == ["'None'", "True"]
    assert second[:2] == ["'None'", "False"]


def test_rates_kept_for_another_genai_prices_install_are_not_used(fresh_rates):
    path = price_rates.cache_path()
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as file:
        json.dump({"genai_prices": "an older install", "version": "0.0.1", "models": {"gpt-4.1-mini": {"input_mtok": "999"}}}, file)

    assert pricing.price("gpt-4.1-mini", Figures(prompt=1000, completion=10)) == genai("gpt-4.1-mini", 1000, 10, 0)
    assert json.load(open(path))["models"]["gpt-4.1-mini"]["input_mtok"] != "999"  # replaced by today's rates


def test_rates_are_asked_again_on_the_day_a_new_price_starts(fresh_rates):
    pricing.price("gpt-4.1-mini", Figures(prompt=10, completion=10))
    price_rates._memory["gpt-4.1-mini"] = {"until": "2000-01-01", "input_mtok": "999"}

    assert price_rates.known("gpt-4.1-mini") is None
    assert pricing.price("gpt-4.1-mini", Figures(prompt=1000, completion=10)) == genai("gpt-4.1-mini", 1000, 10, 0)


def test_a_cache_folder_that_cannot_be_written_still_prices_every_answer(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    price_rates.forget()
    try:
        for _ in range(2):
            assert pricing.price("gpt-4.1-mini", Figures(prompt=1000, completion=10)) == genai("gpt-4.1-mini", 1000, 10, 0)
    finally:
        price_rates.forget()


def test_a_damaged_rates_file_is_priced_by_genai_prices_instead_never_a_traceback(fresh_rates):
    pricing.price("gpt-4.1-mini", Figures(prompt=10, completion=10))  # writes the file
    path = price_rates.cache_path()
    saved = json.load(open(path))
    saved["models"]["gpt-4.1-mini"] = {"input_mtok": ["not", "a", "price"], "until": 7}
    json.dump(saved, open(path, "w"))
    price_rates.forget()

    assert pricing.price("gpt-4.1-mini", Figures(prompt=1000, completion=10)) == genai("gpt-4.1-mini", 1000, 10, 0)
