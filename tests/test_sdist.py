"""Issue 18, item 21: the sdist holds the package whole, and no test file without the support it needs.

Building runs setuptools from PyPI in an isolated environment (pyproject asks for setuptools>=77), so it is
marked ``min_versions`` with the other test that needs PyPI (``-m "not min_versions"`` skips both).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.min_versions


def test_the_sdist_ships_the_whole_package_and_no_tests_without_their_support(tmp_path):
    pytest.importorskip("build")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, text=True)
    [sdist] = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]
    shipped = {name for name in names if name.startswith("chatwithtech_magic/")}
    wanted = {str(path.relative_to(ROOT)) for path in (ROOT / "chatwithtech_magic").rglob("*")
              if path.suffix in (".py", ".json") and "__pycache__" not in path.parts}
    assert wanted <= shipped
    assert not [name for name in names if name.startswith("tests/") or name == "conftest.py"]
    assert "README.md" in names and "LICENSE" in names
