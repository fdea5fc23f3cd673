"""Issue 18, item 20: the README is honest and short, and the Layout names every module of today's tree."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "chatwithtech_magic"


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_fits_a_few_screens_and_links_to_the_rest():
    assert len(README.splitlines()) <= 200
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / link).is_file(), link


def test_install_says_how_to_install_from_a_checkout_before_the_checkout_scripts_are_explained():
    assert README.index("## Install") < README.index("## From a checkout")
    assert "not on PyPI" in README and "pip install /path/to/checkout" in README and "pip install -e ." in README
    assert not re.search(r"^pip install chatwithtech_magic", README, re.MULTILINE)


def test_the_readme_starts_with_the_two_commands_and_the_test_command_is_cis():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.DOTALL)
    assert blocks[0] == "scripts/quickstart\nscripts/setup test && .venv/bin/python -m pytest\n"
    assert README.index("```") == README.index("```bash\nscripts/quickstart") < README.index("## ")
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == blocks[0].splitlines()[1]


def test_every_command_of_chat_is_in_the_readme():
    from chatwithtech_magic.magics.chat import COMMANDS

    for command in COMMANDS:
        assert f"%chat {command}" in README, command


def test_the_layout_names_every_module():
    layout = section("Layout")
    for path in sorted(PACKAGE.rglob("*.py")) + [PACKAGE / "model_table.json"]:
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py" and path.stat().st_size < 100:
            continue  # an empty package marker
        name = str(relative) if relative.parts[0] in ("render", "widgets") else path.name
        assert f"`{name}`" in layout or (relative.parts[0] == "magics" and f"`{path.name}`" in layout.split("`magics/`")[1]), relative
