"""The first %%chat pays no import of ours: they are done in the pause after the cell with %load_ext (warmup.py).

Each kernel is a fresh process, so what it has imported (``sys.modules``) is its own. The keyring is the
in-memory one (``PYTHON_KEYRING_BACKEND``, set for the whole run), and no test waits on a clock: the
warm-up thread is joined.
"""

from __future__ import annotations

import subprocess
import sys

from chatwithtech_magic import warmup
from tests.support.openai_server import DEFAULT_REPLY

KERNEL = """
import sys, threading
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
ip = InteractiveShell.instance()
HEAVY = ("openai", "ipywidgets", "keyring", "httpx", "httpx2", "pydantic", "genai_prices", "chatwithtech_magic.session")
at_cell_end = []
# Registered before the extension's own callback, so it runs first: what the loading cell itself imported.
ip.events.register("post_run_cell", lambda result: at_cell_end.append(sorted(m for m in HEAVY if m in sys.modules)))
with capture_output() as loading:
    ip.run_cell("%load_ext chatwithtech_magic")
warming = [t for t in threading.enumerate() if t.name == "chatwithtech-warmup"]
for thread in warming:
    thread.join()
import keyring.core
print(at_cell_end[0])
print(len(warming), sorted(m for m in HEAVY if m in sys.modules), keyring.core._keyring_backend is None)
print(repr(loading.stdout + loading.stderr), len(loading.outputs))
print(sorted(t.name for t in threading.enumerate() if t.name.startswith("chatwithtech")))
{steps}
"""


def kernel(steps: str = "") -> list[str]:
    done = subprocess.run([sys.executable, "-c", KERNEL.format(steps=steps)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # the warm-up never prints, not even a warning
    return done.stdout.strip().splitlines()


def test_the_cell_that_loads_the_extension_imports_nothing_heavy_and_the_pause_after_it_imports_keyring_and_the_core():
    loaded, warmed, printed, threads_left = kernel()[:4]

    assert loaded == "[]"  # %load_ext itself stays lazy
    # The warm-up imports the keyring module and the core, never openai or the widgets, and never picks
    # a keyring backend (picking one can reach the system's keychain): the first cell that needs a key does.
    assert warmed == "1 ['chatwithtech_magic.session', 'keyring'] True"
    assert printed == "'' 0"
    assert threads_left == "[]"


def test_a_first_chat_after_the_pause_imports_none_of_the_packages_modules_nor_keyring(api_key):
    steps = (
        "before = set(sys.modules)\n"
        "with capture_output() as cap:\n"
        "    ip.run_cell_magic('chat', '-m gpt-4.1-mini', 'Hello')\n"
        f"assert cap.outputs[-1].data['text/plain'].startswith({DEFAULT_REPLY!r}), [o.data for o in cap.outputs]\n"
        "imported = set(sys.modules) - before\n"
        "print(sorted(m for m in imported if m.startswith(('chatwithtech_magic', 'keyring.'))))\n"
        "print('openai' in imported)\n"
    )
    own, openai_now = kernel(steps)[4:]

    # Left to the cell: only the keyring backend it picks (here the tests' in-memory one) and openai.
    assert own == "[]"
    assert openai_now == "True"  # as with the bare SDK, the first cell imports openai


def test_a_magic_stops_the_warm_up_and_waits_for_the_import_in_progress(monkeypatch):
    monkeypatch.setitem(warmup._state, "stopped", False)
    monkeypatch.setitem(warmup._state, "thread", None)

    warmup.settle()

    assert warmup.start() is None  # nothing more is imported in the background once a magic has run


def test_a_module_that_fails_to_import_ends_the_warm_up_quietly(monkeypatch, capsys):
    monkeypatch.setitem(warmup._state, "stopped", False)
    monkeypatch.setattr(warmup, "MODULES", ("chatwithtech_magic.no_such_module", "chatwithtech_magic.tryout"))

    warmup._run()  # on the thread it would be the same: nothing raised, nothing printed

    assert capsys.readouterr() == ("", "")
    assert "chatwithtech_magic.no_such_module" not in sys.modules
