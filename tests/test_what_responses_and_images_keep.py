"""What a review of the Responses API and images found, as what a user sees: a refused thinking summary keeps
the user's reasoning effort, an answer that spent its cap thinking says to raise it, a server without /responses is
named as such (not its base URL), and a very large image is too large, not damaged."""

from __future__ import annotations

from tests.support.magics import chat
from tests.support.openai_server import Error, Reply
from tests.test_models import last_render


def sent(server) -> list[dict]:
    return [r.body for r in server.responses_requests()]


def session(shell):
    return shell.magics_manager.registry["ChatMagics"].session


# OpenAI's real answer to an organisation that is not verified for reasoning summaries (a common case).
UNVERIFIED = Error(400, {
    "message": "Your organization must be verified to generate reasoning summaries. Please go to: "
               "https://platform.openai.com/settings/organization/general and click on Verify Organization. "
               "If you just verified, it can take up to 15 minutes for access to propagate.",
    "type": "invalid_request_error", "param": "reasoning.summary", "code": "unsupported_value",
})


def test_an_unverified_organisation_refusing_summaries_still_gets_the_reasoning_effort_it_asked_for(shell, server, api_key):
    server.script_responses(UNVERIFIED)

    cap = chat(shell, "-m gpt-5.5-pro -r high", "Question")
    chat(shell, "-m gpt-5.5-pro -r high", "Next question")

    bodies = sent(server)
    assert "Hello from the test server." in last_render(cap)
    # Only the summary was refused: the user's -r high must still be sent, on the resend and in later cells.
    assert bodies[1].get("reasoning", {}).get("effort") == "high", bodies[1].get("reasoning")
    assert bodies[-1].get("reasoning", {}).get("effort") == "high", bodies[-1].get("reasoning")


def test_a_summary_refused_on_responses_does_not_stop_reasoning_effort_on_chat_completions(shell, server, api_key):
    server.script_responses(UNVERIFIED)

    chat(shell, "-m o3 --api responses -r high", "Question")
    server.requests.clear()
    chat(shell, "-m o3 --api chat -r high", "Question on Chat Completions")

    body = [r.body for r in server.requests if r.method == "POST"][-1]
    assert body.get("reasoning_effort") == "high", body


def test_a_responses_answer_that_spent_every_token_thinking_says_to_raise_max_tokens(shell, server, api_key):
    # A reasoning model on /responses that hits max_output_tokens before any text: status incomplete,
    # incomplete_details.reason "max_output_tokens", no output_text. Chat Completions' "length" says
    # "raise --max-tokens"; the Responses wire must say the same, not "the model chose to say nothing".
    server.script_responses(Reply("", finish_reason="length"))

    cap = chat(shell, "-m gpt-5.5-pro --max-tokens 100", "Question")

    shown = cap.stdout + "".join(str(o.data) for o in cap.outputs)
    failure = session(shell).last_failure
    assert failure is not None
    assert failure.reason == "length", (failure.reason, failure.message)
    assert "chose to say nothing" not in shown


# -- images ---------------------------------------------------------------------------------------------


def test_a_real_but_very_large_image_is_not_called_damaged(shell, server, api_key, tmp_path):
    import io

    from PIL import Image

    from tests.test_errors import run, shown

    # A genuine 20,000×10,000 panorama (200 MP, a 1-bit PNG of a few KB): over Pillow's bomb limit.
    out = io.BytesIO()
    Image.new("1", (20000, 10000)).save(out, "PNG")
    (tmp_path / "panorama.png").write_bytes(out.getvalue())

    cap = run(shell, f"%%chat -m gpt-4.1-mini --image {tmp_path / 'panorama.png'}\nWhat is this?")

    said = shown(cap)
    assert server.chat_requests() == []
    assert "Traceback" not in said
    assert "damaged" not in said, said  # it is not damaged: it is too large to open safely




# -- a gateway without /responses ----------------------------------------------------------------------


def test_a_table_responses_model_on_a_gateway_without_responses_is_not_blamed_on_the_base_url(shell, server, api_key):
    from tests.test_errors import shown

    server.has_responses = False  # a gateway whose Chat Completions work: its base URL is right

    cap = chat(shell, "-m gpt-5.5-pro", "Question")

    said = shown(cap)
    assert "probably wrong" not in said, said
    assert "has no Responses API" in said, said  # catalog's no_responses_api: what is missing, and --api chat


def test_forcing_api_responses_on_a_gateway_without_it_names_the_setting_not_the_base_url(shell, server, api_key):
    from tests.test_errors import shown

    server.has_responses = False

    cap = chat(shell, "-m gpt-4.1-mini --api responses", "Question")

    said = shown(cap)
    assert "probably wrong" not in said, said
