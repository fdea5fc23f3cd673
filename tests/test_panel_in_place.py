"""An error panel in a saved notebook: its message is an ordinary output, only its buttons are a widget,
and what a button brings replaces the message in place (by display id), so it is saved too.

The display-id routing itself (an update sent from a button callback reaching the cell) is shown in
JupyterLab and Notebook 7 by ``tests/browser/test_reopened_notebooks.py``.
"""

from __future__ import annotations

from IPython.utils.capture import capture_output

from tests.support.openai_server import Reply, model_not_found, overloaded

WIDGET = "application/vnd.jupyter.widget-view+json"


def run(shell, source: str):
    with capture_output() as cap:
        result = shell.run_cell(source)
    assert result.success, result.error_in_exec
    return cap


def message_and_buttons(cap):
    """The panel's two outputs: the message (HTML and text) and the buttons (a widget)."""
    [message] = [o for o in cap.outputs if 'class="chatwithtech-error"' in o.data.get("text/html", "")]
    [buttons] = [o for o in cap.outputs if WIDGET in o.data]
    return message, buttons


def press(buttons_output, label: str):
    from ipywidgets.widgets.widget import _instances

    panel = _instances[buttons_output.data[WIDGET]["model_id"]]
    [button] = [b for b in panel.children[0].children if b.description == label]
    with capture_output() as cap:
        button.click()
    return cap


def test_the_panels_message_is_an_ordinary_output_and_its_buttons_a_separate_widget_without_a_copy(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.script(overloaded())

    message, buttons = message_and_buttons(run(shell, "%%chat\nHello"))

    assert WIDGET not in message.data  # a reopened notebook shows it without a kernel
    assert message.data["text/plain"].startswith("✖ ")
    assert message.transient["display_id"]  # so a button can replace it
    assert buttons.data["text/plain"] == ""  # the message is not repeated as the widget's fallback
    assert "text/html" not in buttons.data


def test_after_use_model_the_answer_replaces_the_panels_message_and_the_buttons_go(shell, server, api_key):
    server.models = ["gpt-4.1-mini"]
    server.script(model_not_found("gpt-5-ultra"), Reply("Four."))
    message, buttons = message_and_buttons(run(shell, "%%chat -m gpt-5-ultra\nWhat is 2+2?"))

    cap = press(buttons, "Use gpt-4.1-mini")

    assert all(o.update for o in cap.outputs)  # nothing new below the panel: every output replaces one
    on_message = [o.data for o in cap.outputs if o.transient["display_id"] == message.transient["display_id"]]
    assert on_message[-1]["text/markdown"].startswith("Four.")
    assert on_message[-1]["text/plain"].startswith("Four.")  # saved as an ordinary output, readable anywhere
    on_buttons = [o.data for o in cap.outputs if o.transient["display_id"] == buttons.transient["display_id"]]
    assert on_buttons == [{"text/plain": ""}]  # no widget is left where the buttons were
    assert server.chat_requests()[-1].body["model"] == "gpt-4.1-mini"


def test_a_retry_that_fails_again_replaces_the_message_with_the_new_failure_and_keeps_one_panel(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.retries = 0")
    server.models = ["gpt-4.1-mini"]
    server.script(overloaded(), model_not_found("gpt-5-ultra"))
    message, buttons = message_and_buttons(run(shell, "%%chat -m gpt-5-ultra\nHi"))

    cap = press(buttons, "Retry")

    assert all(o.update for o in cap.outputs)
    [new] = [o.data for o in cap.outputs if o.transient["display_id"] == message.transient["display_id"]][-1:]
    assert new["text/plain"].startswith("✖ Model gpt-5-ultra is not available")
    from ipywidgets.widgets.widget import _instances

    panel = _instances[buttons.data[WIDGET]["model_id"]]
    assert [b.description for b in panel.children[0].children] == ["Use gpt-4.1-mini"]  # the new failure's buttons
