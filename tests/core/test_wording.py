"""render/wording.py: the next step fits where the user is; no renderer points at a button it lacks."""

from __future__ import annotations

import pytest

from chatwithtech_magic import errors
from chatwithtech_magic.catalog import CATALOG
from chatwithtech_magic.render.wording import FORM, FORM_STEPS, PANEL, TERMINAL, TERMINAL_STEPS, next_step

BUTTONS = {
    "en": ("Retry", "button"),
    "zh": ("“重试”", "按钮"),
}

# The key form tests a key by listing models: a failure of a chat request to a retired model never reaches it.
NEVER_IN_THE_FORM = {"model_retired"}


def _catalog_step(kind: str, language: str) -> tuple[str, dict]:
    failure = errors.Failure(errors.kind_named(kind), model="gpt-4o-mini", successor="gpt-6-sol")
    values = failure.values(language)
    return failure.kind.next_step.get(language, **values), values


def test_the_notebook_panel_keeps_the_catalogs_words():
    assert next_step("rate_limit", "Press Retry in a moment.", "en", PANEL) == "Press Retry in a moment."


def test_the_key_form_says_save_and_test():
    assert next_step("invalid_api_key", "ignored", "en", FORM) == FORM_STEPS["invalid_api_key"].en
    assert "保存并测试" in next_step("missing_key", "ignored", "zh", FORM)


def test_the_terminal_says_run_the_cell_again_with_the_successors_name():
    step = next_step("model_retired", "ignored", "en", TERMINAL, successor="gpt-6-sol")
    assert step == (
        'Run the cell again with -m gpt-6-sol, or set it for good: %config ChatMagics.model = "gpt-6-sol".'
    )


def test_a_kind_without_its_own_wording_gets_press_retry_rewritten():
    step = "Press Retry in a moment."
    assert next_step("stream_failed", step, "en", TERMINAL) == "run the cell again in a moment."
    assert next_step("stream_failed", step, "en", FORM) == "press Save & test again in a moment."
    assert next_step("stream_failed", "请稍后点击“重试”。", "zh", TERMINAL) == "请稍后重新运行该单元格。"


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    "kind,where",
    [(kind, TERMINAL) for kind in sorted(CATALOG)]
    + [(kind, FORM) for kind in sorted(set(CATALOG) - NEVER_IN_THE_FORM)],
)
def test_no_kind_points_a_form_or_terminal_user_at_a_panel_button(kind, where, language):
    catalog_step, values = _catalog_step(kind, language)
    step = next_step(kind, catalog_step, language, where, **values)
    assert step.strip()
    word, button = BUTTONS[language]
    assert word not in step and button not in step, (kind, step)


@pytest.mark.parametrize("table", [FORM_STEPS, TERMINAL_STEPS])
def test_every_own_wording_is_for_a_catalog_kind_and_in_both_languages(table):
    for kind, text in table.items():
        assert kind in CATALOG
        assert text.en.strip() and text.zh.strip() and text.en != text.zh
