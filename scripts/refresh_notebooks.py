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

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


def tidy(nb) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if "nbval-ignore-output" in cell.metadata.get("tags", []):  # e.g. the key form: nothing to read when saved
            cell["outputs"] = [o for o in cell.get("outputs", []) if WIDGET not in o.get("data", {})]
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET, None)
            output.get("metadata", {}).pop(WIDGET, None)


def refresh(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if "nbval-skip" in cell.metadata.get("tags", []):
                cell.outputs, cell.execution_count = [], None
                continue
            client.execute_cell(cell, index)
    tidy(nb)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT)}")


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
