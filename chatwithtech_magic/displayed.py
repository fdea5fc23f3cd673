"""The images the notebook displayed, kept by cell for ``{fig}`` and ``{fig[n]}``.

A matplotlib figure shown by the inline backend is closed once its cell ends, so its object is
gone: what is kept is the PNG the notebook displayed. The shell's display publisher is wrapped
(every ``display()``, the inline backend's figures included) and each cell's result is looked at
after it runs (an ``Image`` as a cell's last expression). Only the last ``KEEP_CELLS`` cells with
images are kept, at most ``KEEP_PER_CELL`` images each, so a long session doesn't hoard memory.
"""

from __future__ import annotations

KEEP_CELLS = 20
KEEP_PER_CELL = 8


class Displayed:
    def __init__(self):
        self.by_cell: dict[int, list[bytes]] = {}

    def record(self, cell: int, data: bytes) -> None:
        kept = self.by_cell.setdefault(cell, [])
        if data in kept:  # a display updated in place with the same image
            return
        kept.append(data)
        del kept[:-KEEP_PER_CELL]
        while len(self.by_cell) > KEEP_CELLS:
            del self.by_cell[min(self.by_cell)]


def current_cell(shell) -> int:
    """The number of the cell running now, as ``{In[n]}`` counts (magics/context.py)."""
    history = getattr(shell, "history_manager", None)
    inputs = getattr(history, "input_hist_raw", None) or shell.user_ns.get("In") or [""]
    return len(inputs) - 1


def install(shell, displayed: Displayed):
    """Watch ``shell``'s displays; returns what ``uninstall`` needs to undo it."""
    publisher = getattr(shell, "display_pub", None)
    original = getattr(publisher, "publish", None)
    if publisher is None or original is None:
        return None

    def publish(data, *args, **kwargs):
        try:
            if isinstance(data, dict) and any(key.startswith("image/") for key in data):
                from .images import from_display

                raw = from_display(data)
                if raw is not None:
                    displayed.record(current_cell(shell), raw)
        except Exception:  # keeping a copy must never stop a display
            pass
        return original(data, *args, **kwargs)

    publish.__wrapped__ = original
    own = "publish" in vars(publisher)  # another wrapper set on the instance before ours: put back as it was
    publisher.publish = publish
    return publisher, original, own


def uninstall(installed) -> None:
    if installed is None:
        return
    publisher, original, own = installed
    if own:
        publisher.publish = original
    else:
        vars(publisher).pop("publish", None)  # the instance attribute we set: the class's method shows through again


def record_result(shell, displayed: Displayed, result) -> None:
    """``post_run_cell``: a cell whose value is an image (``Image(...)`` as its last line) displayed it."""
    value = getattr(result, "result", None)
    if value is None or isinstance(value, (str, int, float)):
        return
    try:
        from .images import image_bytes

        cell = current_cell(shell)
        if displayed.by_cell.get(cell):  # a figure as the last line is displayed by the inline backend already
            return
        data = image_bytes(value)
        if data is not None:
            displayed.record(cell, data)
    except Exception:
        pass
