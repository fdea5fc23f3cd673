#!/usr/bin/env python3
"""Run the notebooks top to bottom the way CI checks them, and save their outputs.

    .venv/bin/python scripts/refresh_notebooks.py [notebooks/NAME.ipynb ...]

The kernel gets the test run's environment (root ``conftest.py``): the loopback OpenAI-protocol
server, a test key in ``OPENAI_API_KEY``, an in-memory keyring, and the answers the server gives to
the notebooks' questions (``tests/support/notebook_answers.py``). So the saved outputs are exactly
what nbval compares against in CI. Cells tagged ``nbval-skip`` (recipes for endpoints that are not
here) are left unrun. No widget state is saved, and widget views are dropped from the outputs
(a saved notebook can't show them anyway; their text stays).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"

# Saved as an OpenAI user sees them: the test server's address and the tests' in-memory keyring are CI's
# machinery, not the product's (notebooks/nbval_sanitize.cfg reads both forms alike). errors.ipynb starts a
# local server itself, so its 127.0.0.1 is the truth there and stays.
AS_A_USER_SEES = ("quickstart.ipynb", "configuration.ipynb")
SHOWN = (
    (re.compile(r"http://127\.0\.0\.1:\d+/v1"), "https://api.openai.com/v1"),
    (re.compile(r"tests\.support\.memory_keyring\.MemoryKeyring"), "keyring.backends.SecretService.Keyring"),
)

# The answers a newcomer without a key replays (chatwithtech_magic/tryout.py): the quickstart run once more in
# record mode, each request keyed as an OpenAI user's kernel keys it (its endpoint is OpenAI's, not the test
# server's), so the recorded answers are found by a user's "Run all". No request id from the test server is kept.
RECORDED = {"quickstart.ipynb": ROOT / "notebooks" / "chatwithtech_answers.jsonl"}
KEYED_AS = "https://api.openai.com/v1"


def tidy(nb, language_info: dict | None = None) -> None:
    nb.metadata.pop("widgets", None)
    if language_info:  # as the kernel reports it, which JupyterLab writes on opening: opening changes nothing
        nb.metadata["language_info"] = language_info
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # run timings: a frontend drops them when it runs a cell
        if "nbval-ignore-output" in cell.metadata.get("tags", []):  # e.g. the key form: nothing to read when saved
            cell["outputs"] = [o for o in cell.get("outputs", []) if WIDGET not in o.get("data", {})]
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET, None)
            output.get("metadata", {}).pop(WIDGET, None)


def refresh(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        info = client.wait_for_reply(client.kc.kernel_info())
        language_info = info["content"]["language_info"] if info else None
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if "nbval-skip" in cell.metadata.get("tags", []):
                cell.outputs, cell.execution_count = [], None
                continue
            client.execute_cell(cell, index)
    tidy(nb, language_info)
    if path.name in AS_A_USER_SEES:
        as_a_user_sees(nb)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT)}")
    if path.name in RECORDED:
        record_answers(path, RECORDED[path.name])


def as_a_user_sees(nb) -> None:
    def shown(text):
        if isinstance(text, list):
            return [shown(t) for t in text]
        for pattern, replacement in SHOWN:
            text = pattern.sub(replacement, text)
        return text

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = shown(output["text"])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    output["data"][mime] = shown(value)


def record_answers(path: Path, answers: Path) -> None:
    """Run ``path`` in record mode (outputs not saved) and keep its answers in ``answers``."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    answers.unlink(missing_ok=True)
    os.environ["CHATWITHTECH_CACHE"] = "record"
    try:
        client = NotebookClient(nb, timeout=180, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        with client.setup_kernel():
            # Not a cell: the cells keep the numbers a user's "Run all" gives them ({Err[n]} and tracebacks say In[n]).
            keyed_as = f"import chatwithtech_magic.replay as r; r.endpoint = lambda base_url: {KEYED_AS!r}"
            client.wait_for_reply(client.kc.execute(keyed_as, store_history=False))
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and "nbval-skip" not in cell.metadata.get("tags", []):
                    client.execute_cell(cell, index)
    finally:
        os.environ.pop("CHATWITHTECH_CACHE", None)
    lines = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines() if line.strip()]
    with answers.open("w", encoding="utf-8") as file:
        for line in lines:
            line["request_id"] = None
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"recorded {len(lines)} answers in {answers.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import conftest  # the test run's environment, as CI gives it to nbval
    from tests.support.environment import TEST_KEY, Run
    from tests.support.notebook_answers import ANSWERS

    conftest.pytest_configure(None)
    os.environ["OPENAI_API_KEY"] = TEST_KEY
    Run.server.answers = dict(ANSWERS)
    try:
        paths = [Path(p).resolve() for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
        for path in paths:
            refresh(path)
    finally:
        conftest.pytest_unconfigure(None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
