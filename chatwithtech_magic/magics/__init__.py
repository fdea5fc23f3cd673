"""The IPython adapter: thin magics over the core in ``session.py``.

``%%chat`` and ``%chatkey`` share one ``ChatSession`` (conversation, clients,
credentials), so a key set with one is used by the other.
"""

from __future__ import annotations

from .. import warmup

MAGIC_NAMES = {"line": ("chat", "chatkey"), "cell": ("chat",)}
_registered: dict[int, list] = {}


def register(shell) -> None:
    from .chat import ChatMagics
    from .key import KeyMagics

    unregister(shell)  # %reload_ext must not leave a second copy in shell.configurables
    chat = ChatMagics(shell=shell)  # its ChatSession is made on first use
    key = KeyMagics(shell=shell, chat=chat)
    shell.register_magics(chat)
    shell.register_magics(key)
    # Errors are kept when they happen, for {Err[n]} and %chat explain; a successful cell costs one check.
    shell.events.register("post_run_cell", chat.record_error)
    # The images each cell displays are kept for {fig} and {fig[n]} (displayed.py).
    from .. import displayed

    chat._display_hook = displayed.install(shell, chat.displayed)
    shell.events.register("post_run_cell", chat.record_display)
    _registered[id(shell)] = [chat, key]
    # Once this cell has finished: the first %%chat's imports, in the pause before the user types it (warmup.py).
    warmup.schedule(shell)


def unregister(shell) -> None:
    warmup.cancel(shell)
    instances = _registered.pop(id(shell), [])
    for kind, names in MAGIC_NAMES.items():
        table = shell.magics_manager.magics[kind]
        for name in names:
            owner = getattr(table.get(name), "__self__", None)
            if owner in instances:
                del table[name]
    for instance in instances:
        for name in ("record_error", "record_display"):
            callback = getattr(instance, name, None)
            if callback is not None and callback in shell.events.callbacks["post_run_cell"]:
                shell.events.unregister("post_run_cell", callback)
        if getattr(instance, "_display_hook", None) is not None:
            from .. import displayed

            displayed.uninstall(instance._display_hook)
            instance._display_hook = None
        if instance in shell.configurables:
            shell.configurables.remove(instance)
        session = getattr(instance, "_session", None)
        if session is not None:
            session.clients.clear()
