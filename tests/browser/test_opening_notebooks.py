"""Issue 18, item 19: opening a notebook of the project changes nothing, in JupyterLab and in Notebook 7.

Both write the kernel's ``language_info`` into a notebook on opening; the notebooks are saved with it
(scripts/refresh_notebooks.py), so a freshly opened one is not marked modified and a save rewrites nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["jupyterlab", "notebook7"])
def frontend(request):
    return request.getfixturevalue("lab_page" if request.param == "jupyterlab" else "notebook7_page")


def test_opening_the_quickstart_leaves_it_unmodified(frontend):
    target = frontend.server.root_dir / "quickstart.ipynb"
    shutil.copy(ROOT / "notebooks" / "quickstart.ipynb", target)
    frontend.open_notebook("quickstart.ipynb")
    frontend.page.wait_for_timeout(1000)  # the kernel's info arrives after the session is ready
    assert frontend._js("return findPanel(arg).context.model.dirty;", "quickstart.ipynb") is False
    shown = frontend._js("return findPanel(arg).context.model.toJSON().metadata;", "quickstart.ipynb")
    assert shown["language_info"] == json.loads(target.read_text())["metadata"]["language_info"]
