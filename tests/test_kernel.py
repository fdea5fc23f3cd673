"""Through a real IPython kernel: a notebook executed by nbclient, and Ctrl-C (interrupt) while streaming.

The kernel inherits this process's environment, which points at the loopback server; the
``api_key`` fixture puts the test key in it the way a user's ``OPENAI_API_KEY`` would be.
"""

from __future__ import annotations

import queue
import time

import nbformat
from nbclient import NotebookClient

from tests.support.environment import TEST_KEY
from tests.support.openai_server import Reply, insufficient_quota

WIDGET = "application/vnd.jupyter.widget-view+json"


def notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def test_a_notebook_shows_the_streamed_answer_as_markdown_and_a_failure_as_a_panel(server, api_key, tmp_path):
    server.script(Reply(chunks=["## Hello\n\n", "from a **real** ", "kernel."]), insufficient_quota())
    nb = notebook(
        "%load_ext chatwithtech_magic",
        "%%chat -m gpt-4.1-mini\nSay hello",
        "%%chat\nAnd now?",
        "%chat history",
    )

    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    load, answer, failure, history = (cell.outputs for cell in nb.cells)
    assert load == []
    [shown] = answer  # streamed into one output, updated in place
    assert shown.output_type == "display_data"
    assert shown.data["text/markdown"].startswith("## Hello\n\nfrom a **real** kernel.")
    assert "gpt" in shown.data["text/markdown"]
    [panel] = [o for o in failure if o.output_type == "display_data"]  # nothing to press: no widget, only the message
    assert panel.data["text/plain"].startswith("✖ You exceeded your current quota")
    assert 'data-kind="insufficient_quota"' in panel.data["text/html"] and WIDGET not in panel.data
    assert not [o for o in failure if o.output_type in ("error", "stream")]  # no traceback, no stray text
    assert "[1] you: Say hello" in history[0].data["text/plain"]
    assert len(server.chat_requests()) == 2
    assert TEST_KEY not in nbformat.writes(nb)


def _collect(client, msg_id: str, until_idle: bool = True, deadline: float = 30.0) -> list[dict]:
    """Iopub messages of one execution, up to its idle status."""
    messages, end = [], time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            msg = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if until_idle and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    return messages


def _run(client, code: str) -> tuple[dict, list[dict]]:
    """Execute ``code``; its execute_reply and its iopub messages."""
    reply = client.execute(code, reply=True, timeout=30)
    return reply, _collect(client, reply["parent_header"]["msg_id"])


def test_interrupting_the_kernel_while_streaming_keeps_the_partial_answer_and_the_kernel_stays_usable(server, api_key):
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        _run(client, "%load_ext chatwithtech_magic")
        server.script(Reply(chunks=[f"w{i} " for i in range(200)], delay=0.05))  # ten seconds at most

        msg_id = client.execute("%%chat\nCount slowly")
        first_text, end = None, time.monotonic() + 30
        while first_text is None and time.monotonic() < end:  # wait until the answer is on screen
            try:
                msg = client.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] in ("display_data", "update_display_data"):
                first_text = msg["content"]["data"].get("text/markdown")
        manager.interrupt_kernel()  # what the notebook's stop button (or Ctrl-C) does
        rest = _collect(client, msg_id)
        reply = client.get_shell_msg(timeout=30)

        assert first_text and first_text.startswith("w0")
        assert reply["content"]["status"] == "ok", (reply["content"], [m["content"] for m in rest if m["msg_type"] == "error"])  # caught: no KeyboardInterrupt traceback
        assert not [m for m in rest if m["msg_type"] == "error"]
        final = [m["content"]["data"]["text/markdown"] for m in rest if m["msg_type"] in ("display_data", "update_display_data")][-1]
        partial = final.split("\n\n>")[0]
        assert partial.startswith("w0") and len(partial.split()) < 200
        assert "answer incomplete: interrupted" in final

        _, history = _run(client, "%chat history")
        plain = [m["content"]["data"]["text/plain"] for m in history if m["msg_type"] == "display_data"][0]
        assert "(incomplete)" in plain and partial in plain

        _, after = _run(client, "%%chat\nStill there?")
        markdown = [m["content"]["data"].get("text/markdown", "") for m in after if m["msg_type"] in ("display_data", "update_display_data")]
        assert markdown[-1].startswith("Hello from the test server.")
        result = [m for m in _run(client, "6 * 7")[1] if m["msg_type"] == "execute_result"]
        assert result[0]["content"]["data"]["text/plain"] == "42"

        server.script(Reply("Try this:\n\n```python\nprint(6 * 7)\n```\n"))
        reply, _ = _run(client, "%%chat -f code\nCode please")
        assert reply["content"]["payload"] == [{"source": "set_next_input", "text": "print(6 * 7)", "replace": False}]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
