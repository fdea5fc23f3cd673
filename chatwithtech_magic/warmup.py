"""The first cell's imports, done in the background once the cell that ran ``%load_ext`` has finished.

``%load_ext`` stays lazy: it imports none of this. But a user's first ``%%chat``, typed seconds
later, would then import ``keyring`` (the key is looked up in the keyring before the environment,
so it is needed even with ``OPENAI_API_KEY`` set) and the package's core: about 65 ms of CPU that
the bare SDK does not pay. A daemon thread imports them in the pause instead, after IPython's
``post_run_cell`` for the loading cell (a shell driven by ``run_line_magic`` alone never starts it).
A kernel that never chats pays it once: about 75–90 ms of CPU and 12 MB of memory (docs/speed.md), and no
thread is left.

What it does not do, on purpose:

- it does not import ``openai`` (half a second and ~35 MB): a kernel that never chats would pay it,
  and the bare SDK's first cell pays it too;
- it never asks ``keyring`` for a backend, nor reads or writes a key: importing the module touches
  no keychain (choosing a backend may, on a desktop), so that stays with the first cell that needs a key;
- it never prints and never raises: a module that fails to import here is imported again by the cell,
  which reports the failure where the user sees it;
- it never imports at the same time as a magic: each magic calls ``settle()`` first, which stops the
  warm-up and waits for the import in progress (two threads importing modules that import each other
  can fail with a deadlock error).
"""

from __future__ import annotations

import importlib
import threading

# What every asking cell imports before its request, in the order it imports them, apart from ``openai``.
MODULES = (
    "chatwithtech_magic.magics.line_secrets",
    "chatwithtech_magic.magics.line_urls",
    "chatwithtech_magic.magics.key",
    "chatwithtech_magic.magics.args",
    "chatwithtech_magic.request",
    "chatwithtech_magic.replay",
    "chatwithtech_magic.render.answer",
    "chatwithtech_magic.session",
    "chatwithtech_magic.wire.chat_completions",
    "chatwithtech_magic.thinking",
    "keyring",
    "chatwithtech_magic.keyring_check",
    "chatwithtech_magic.render.waiting",
    "chatwithtech_magic.render.code_blocks",
    "chatwithtech_magic.render.safe",
    "chatwithtech_magic.render.usage",
)
THREAD_NAME = "chatwithtech-warmup"

_lock = threading.Lock()  # held while one module is imported
_state: dict = {"shell": None, "stopped": False, "thread": None}


def schedule(shell) -> None:
    """Start the warm-up after the cell now running (the one with ``%load_ext``); once per process."""
    if _state["shell"] is not None or _state["thread"] is not None or _state["stopped"]:
        return
    _state["shell"] = shell
    shell.events.register("post_run_cell", _after_cell)


def cancel(shell) -> None:
    """``%unload_ext`` before the loading cell has finished: nothing starts."""
    if _state["shell"] is shell:
        _state["shell"] = None
        if _after_cell in shell.events.callbacks.get("post_run_cell", []):
            shell.events.unregister("post_run_cell", _after_cell)


def _after_cell(result=None) -> None:
    if _state["shell"] is not None:
        cancel(_state["shell"])
    start()


def start() -> threading.Thread | None:
    """Begin importing on a daemon thread (``settle()`` stops it); the thread, or None if it already ran."""
    if _state["thread"] is not None or _state["stopped"]:
        return None
    thread = threading.Thread(target=_run, name=THREAD_NAME, daemon=True)
    _state["thread"] = thread
    thread.start()
    return thread


def _index_installed_packages() -> None:
    """Read the installed packages' metadata once. Importing ``keyring`` on Python < 3.12 imports the
    ``importlib_metadata`` backport, which puts its own finder first: the SDK's transport then looks up its
    version (``httpcore2``: ``importlib.metadata.version``) through it, about 6 ms more than without keyring.
    The finder keeps each folder's index once read, so the lookup is done here, in the pause."""
    from importlib.metadata import version

    version("keyring")


def _run() -> None:
    for step in (*MODULES, _index_installed_packages):
        with _lock:
            if _state["stopped"]:
                return
            try:
                step() if callable(step) else importlib.import_module(step)
            except BaseException:  # never raise: the cell does it again, and says what is wrong
                return


def settle() -> None:
    """Called first by every magic: no more warm-up, and the import in progress (if any) has finished."""
    if _state["stopped"]:
        return
    _state["stopped"] = True
    with _lock:
        pass
