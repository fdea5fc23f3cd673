"""Issue 18, a newcomer's first ten minutes: the quickstart without a key, and notebooks that show no test machinery.

The quickstart is run the way JupyterLab's "Run all" runs it in a fresh kernel (nbclient), from a copy in a
temporary folder with the recorded answers beside it, so nothing in the checkout changes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ANSWERS = NOTEBOOKS / "chatwithtech_answers.jsonl"


def run_notebook(path: Path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


@pytest.fixture
def no_key_anywhere(monkeypatch, memory_keyring):
    """A newcomer's machine: no key in the environment or the keyring, OpenAI's own base URL."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHATWITHTECH_CACHE"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_key_the_quickstart_replays_its_recorded_answers_and_says_so_at_the_top(tmp_path, no_key_anywhere, server):
    for name in ("quickstart.ipynb", ANSWERS.name):
        shutil.copy(NOTEBOOKS / name, tmp_path / name)
    nb = run_notebook(tmp_path / "quickstart.ipynb")
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert "No API key is set, so the answers below are replayed" in text_of(code[0])
    asked = [cell for cell in code if cell.source.startswith(("%%chat", "%chat explain")) and "--dry-run" not in cell.source]
    assert len(asked) == 5
    for cell in asked:
        shown = text_of(cell)
        assert "No recorded answer" not in shown, cell.source
        assert "replayed · recorded" in json.dumps(cell.outputs, ensure_ascii=False) or "replayed" in shown, cell.source
    assert "list comprehension" in text_of(asked[0])
    assert server.requests == []  # nothing was sent anywhere: the loopback server is the only one reachable
    assert (tmp_path / ANSWERS.name).read_bytes() == ANSWERS.read_bytes()  # replaying writes nothing


def test_the_answers_file_is_keyed_for_openais_endpoint_and_holds_no_key_and_no_test_address():
    text = ANSWERS.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 5
    assert {line["endpoint"] for line in lines} == {"https://api.openai.com/v1"}
    assert "127.0.0.1" not in text and "sk-" not in text and "req_" not in text
    assert all(line["request_id"] is None for line in lines)


@pytest.mark.parametrize("name", ["quickstart.ipynb", "configuration.ipynb"])
def test_saved_outputs_show_nothing_of_the_test_machinery(name):
    text = (NOTEBOOKS / name).read_text(encoding="utf-8")
    assert "127.0.0.1" not in text
    assert "tests.support" not in text and "MemoryKeyring" not in text


@pytest.mark.parametrize("path", sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("my-")), ids=lambda p: p.name)
def test_a_saved_notebook_carries_what_a_frontend_writes_on_opening_and_no_run_timings(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    info = nb["metadata"]["language_info"]
    assert {"codemirror_mode", "file_extension", "mimetype", "pygments_lexer", "version"} <= set(info)
    assert not [cell["id"] for cell in nb["cells"] if "execution" in cell["metadata"]]


def test_a_users_copies_of_the_notebooks_are_ignored_by_git_and_by_pytest():
    assert "notebooks/my-*.ipynb" in (ROOT / ".gitignore").read_text().splitlines()
    assert "--ignore-glob=notebooks/my-*.ipynb" in (ROOT / "pyproject.toml").read_text()
    assert 'copy=notebooks/my-quickstart.ipynb' in (ROOT / "scripts" / "quickstart").read_text()
