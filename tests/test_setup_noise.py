"""Issue 18, item 22: ``scripts/setup test`` says only what it installs, and apt's chatter stays out of sight.

The script runs from a copy of the checkout with a stand-in ``.venv`` (already set up for this
``pyproject.toml``) and stand-ins for ``apt-get``, ``dpkg`` and ``id`` first on ``PATH``: nothing is
installed, and what the user reads is what the script prints.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKE_APT = """#!/bin/sh
echo "apt-get $*" >> "$APT_LOG"
echo "debconf: delaying package configuration, since apt-utils is not installed" >&2
echo "Selecting previously unselected package fonts-noto-cjk." 
exit "${APT_EXIT:-0}"
"""


def setup_test(tmp_path: Path, chromium_there: bool, apt_exit: int = 0) -> subprocess.CompletedProcess:
    checkout, bin_dir = tmp_path / "checkout", tmp_path / "bin"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup", checkout / "scripts" / "setup")
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    shutil.copytree(ROOT / "constraints", checkout / "constraints")
    venv = checkout / ".venv" / "bin"
    venv.mkdir(parents=True)
    version = sorted((ROOT / "constraints").glob("py*.txt"))[0].stem[2:]  # a Python the constraints are for
    (venv / "python").write_text(f'#!/bin/sh\ncase "$*" in *version_info*) echo {version};; esac\nexit 0\n')
    installed_from = (checkout / "pyproject.toml").read_bytes() + (checkout / "constraints" / f"py{version}.txt").read_bytes()
    (checkout / ".venv" / ".chatwithtech-setup-test").write_text(hashlib.sha256(installed_from).hexdigest() + "\n")
    bin_dir.mkdir()
    for name, body in {"apt-get": FAKE_APT, "dpkg": "#!/bin/sh\nexit 1\n", "id": "#!/bin/sh\necho 0\n"}.items():
        (bin_dir / name).write_text(body)
    for path in [*bin_dir.iterdir(), venv / "python", checkout / "scripts" / "setup"]:
        path.chmod(0o755)
    script = (checkout / "scripts" / "setup").read_text()
    if not chromium_there:  # the script looks for Debian's /usr/bin/chromium: point it at a path that is not there
        (checkout / "scripts" / "setup").write_text(script.replace("/usr/bin/chromium", str(tmp_path / "no-chromium")))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "APT_LOG": str(tmp_path / "apt.log"),
           "APT_EXIT": str(apt_exit)}
    return subprocess.run([str(checkout / "scripts" / "setup"), "test"], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="the case 'Chromium is there' needs Debian's chromium")
def test_with_chromium_there_only_the_fonts_are_named_and_no_size(tmp_path):
    ran = setup_test(tmp_path, chromium_there=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "scripts/setup: installing with apt-get: fonts-noto-cjk\n"
    assert ran.stderr == ""


def test_installing_chromium_says_its_size_and_hides_debconfs_chatter(tmp_path):
    ran = setup_test(tmp_path, chromium_there=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "scripts/setup: installing with apt-get: chromium fonts-noto-cjk (Chromium is about 380 MB)\n"
    assert "debconf" not in ran.stdout + ran.stderr
    assert "install -y -qq chromium fonts-noto-cjk" in (tmp_path / "apt.log").read_text()


def test_a_failing_apt_get_shows_what_it_said(tmp_path):
    ran = setup_test(tmp_path, chromium_there=False, apt_exit=100)
    assert ran.returncode == 1
    assert "debconf: delaying package configuration" in ran.stderr  # then the chatter is the clue
