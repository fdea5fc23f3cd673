"""The notebooks as a reader gets them, and the repository's scripts as a new user runs them.

Running the notebooks and comparing their outputs is nbval's job (``pytest notebooks/``); this checks
what must hold for every saved notebook whatever it runs, and that ``scripts/quickstart`` lands in the
quickstart notebook.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if not p.name.startswith("my-"))  # a user's copies
NBVAL_TAGS = {"nbval-ignore-output", "nbval-check-output", "nbval-skip", "raises-exception"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_three_notebooks_are_there():
    assert {path.name for path in NOTEBOOKS} >= {"quickstart.ipynb", "errors.ipynb", "configuration.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_saved_notebook_holds_no_widget_state_no_widget_views_and_no_key(path):
    text = path.read_text()
    nb = json.loads(text)
    assert "widgets" not in nb["metadata"]
    assert "application/vnd.jupyter.widget-view+json" not in text  # reopened, a view would read "Error displaying widget"
    assert not re.search(r"sk-(proj-)?[A-Za-z0-9_-]{20,}", text)  # masked keys and short placeholders only
    assert "sk-test-0123456789abcdefWXYZ" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_test_markers_are_cell_tags_that_readers_do_not_see(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        assert "NBVAL_" not in source, source  # no comment markers in the code a reader copies
        assert set(cell["metadata"].get("tags", [])) <= NBVAL_TAGS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_section_reads_in_english_and_chinese(path):
    nb = json.loads(path.read_text())
    headings = ["".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"]
    for text in headings:
        if text.startswith("### "):  # a gallery entry: its section says it in both
            continue
        assert CJK.search(text) and re.search(r"[A-Za-z]{4}", text), text[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_checked_cell_was_run_in_order_so_nbval_has_outputs_to_compare(path):
    nb = json.loads(path.read_text())
    counts = [cell["execution_count"] for cell in nb["cells"]
              if cell["cell_type"] == "code" and "nbval-skip" not in cell["metadata"].get("tags", [])]
    assert counts == list(range(1, len(counts) + 1))  # scripts/refresh_notebooks.py ran them top to bottom


def test_scripts_quickstart_prints_a_url_that_opens_the_quickstart_notebook(tmp_path):
    """With --no-browser (a remote machine, a container): the printed URL is the notebook, not the Launcher."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "OPENAI_API_KEY"))}
    env.update(HOME=str(tmp_path), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), PYTHON=sys.executable)
    log = tmp_path / "quickstart.log"
    copy = ROOT / "notebooks" / "my-quickstart.ipynb"
    made_here = not copy.exists()  # the script makes the user's copy: a developer's own is left alone
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "quickstart"), "--no-browser", "--ServerApp.ip=127.0.0.1", "--port=0",
             "--ServerApp.port_retries=0"],
            cwd=tempfile.gettempdir(), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        url = None
        while time.monotonic() < deadline and process.poll() is None:
            found = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)\?token=(\w+)", log.read_text(errors="replace"))
            if found:
                url = found
                break
            time.sleep(0.2)
        assert url, log.read_text(errors="replace")[-2000:]
        assert url.group(2) == "/lab/tree/notebooks/my-quickstart.ipynb"  # a copy: the tracked notebook stays clean
        import urllib.request

        # The notebook is where the URL says, under the checkout the server serves.
        api = f"http://127.0.0.1:{url.group(1)}/api/contents/notebooks/my-quickstart.ipynb?content=0&token={url.group(3)}"
        with urllib.request.urlopen(api, timeout=10) as response:
            assert json.load(response)["type"] == "notebook"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if made_here:
            copy.unlink(missing_ok=True)


SCRIPT = '''\
from IPython import get_ipython

ip = get_ipython()
ip.run_line_magic("load_ext", "chatwithtech_magic")
ip.run_cell_magic("chat", "--out first", "Say hello.")
ip.run_cell_magic("chat", "", "And again?")
print("kept:", first)
'''


def test_the_magics_run_from_a_script_with_ipython_as_the_readme_shows(server, tmp_path):
    """``ipython file.ipy`` runs the file as one cell (a %%chat inside is a syntax error); a .py file that calls
    ``run_cell_magic`` works, and so does ``ipython -c``."""
    server.script("Hello from a script.", "And again, with memory.", "From -c.")
    script = tmp_path / "ask.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OPENAI_API_KEY": "sk-test-0123456789abcdefWXYZ", "IPYTHONDIR": str(tmp_path / "ipython")}
    ipython = [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor"]

    ran = subprocess.run([*ipython, str(script)], env=env, capture_output=True, text=True, timeout=120)
    answers = [line for line in ran.stdout.splitlines() if not line.startswith("— ")]  # the quiet line under each answer
    assert answers[-3:] == ["Hello from a script.", "And again, with memory.", "kept: Hello from a script."], ran.stdout + ran.stderr
    assert ran.stdout.count("\n— ") == 2
    assert len(server.chat_requests()[1].body["messages"]) == 3  # the second question carried the first exchange

    one_line = "%load_ext chatwithtech_magic\nget_ipython().run_cell_magic('chat', '', 'Say hello.')"
    ran = subprocess.run([*ipython, "-c", one_line], env=env, capture_output=True, text=True, timeout=120)
    assert ran.stdout.strip().splitlines()[-2] == "From -c.", ran.stdout + ran.stderr
    assert ran.stdout.strip().splitlines()[-1].startswith("— ")
