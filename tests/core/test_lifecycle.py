"""lifecycle.py: what a user is told about models coming and going: retiring notes, retired panels, what fits.

Dates are never written here: they come from the model table on the suite's pinned day (clock.py).
"""

from __future__ import annotations

from chatwithtech_magic import errors, lifecycle, models
from tests.support.openai_server import DEFAULT_MODELS, RETIRED_MODELS

# Models an account lists today and ones shut down (the loopback server's lists; no server is started).
KNOWN = (*DEFAULT_MODELS, *sorted(RETIRED_MODELS))


def _a_model(state: str) -> str:
    """A model in ``state`` on the pinned day, with a successor, as the model table says."""
    return next(name for name in KNOWN if models.status(name) == state and models.successor(name))


def test_a_model_that_fell_back_names_both_models_and_how_to_choose_in_both_languages():
    note = lifecycle.fell_back("gpt-9", "gpt-4o-mini")
    assert note.en == (
        "gpt-9 is not available here; answered with gpt-4o-mini · choose with %config ChatMagics.model"
    )
    assert "gpt-9" in note.zh and "gpt-4o-mini" in note.zh and "在此不可用" in note.zh


def test_a_retiring_model_gets_one_quiet_line_with_its_shutdown_date_and_successor():
    model = _a_model("retiring")
    [note] = lifecycle.retiring_notes(model)
    day, successor = models.shutdown(model).isoformat(), models.successor(model)
    assert note.en == f"{model} shuts down on {day}: use {successor} instead"
    assert day in note.zh and successor in note.zh


def test_a_live_model_and_an_unknown_one_get_no_retiring_line():
    assert lifecycle.retiring_notes(_a_model("scheduled")) == []
    assert lifecycle.retiring_notes("my-own-finetune") == []


def test_a_404_for_a_retired_model_becomes_the_retired_panel_with_its_date_and_live_successor():
    model = _a_model("retired")
    failure = errors.Failure(errors.kind_named("model_not_found"), status=404, model=model)
    lifecycle.mark_retired(failure, model)
    assert failure.kind is errors.kind_named("model_retired")
    assert failure.shutdown == models.shutdown(model).isoformat()
    assert failure.successor == models.successor(model)


def test_a_404_for_a_live_model_stays_a_model_not_found():
    model = _a_model("scheduled")
    failure = errors.Failure(errors.kind_named("model_not_found"), status=404, model=model)
    lifecycle.mark_retired(failure, model)
    assert failure.kind is errors.kind_named("model_not_found") and failure.shutdown == ""


def test_another_failure_for_a_retired_model_is_left_as_it_is():
    model = _a_model("retired")
    failure = errors.Failure(errors.kind_named("rate_limit"), status=429, model=model)
    lifecycle.mark_retired(failure, model)
    assert failure.kind is errors.kind_named("rate_limit")


def test_after_an_overflow_the_suggestions_have_a_larger_window_than_the_server_named():
    failure = errors.Failure(
        errors.kind_named("context_length"),
        message="This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 "
        "tokens.",
    )
    suggested = lifecycle.suggestions(failure, "gpt-4o-mini", None)
    assert 0 < len(suggested) <= 3
    assert all((models.context_window(name) or 0) > 8192 for name in suggested)


def test_after_a_404_the_suggestions_are_live_chat_models_the_account_has():
    available = ["gpt-4o-mini", "gpt-4.1-mini", "text-embedding-3-small", "whisper-1"]
    failure = errors.Failure(errors.kind_named("model_not_found"), status=404)
    suggested = lifecycle.suggestions(failure, "gpt-9", available)
    assert suggested and set(suggested) <= {"gpt-4o-mini", "gpt-4.1-mini"}
