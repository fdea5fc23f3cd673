"""Display updates for nbval: a streamed answer is one output, updated in place by its display id.

nbval 0.11 drops ``update_display_data`` messages ("unhandled iopub msg"), so it would compare a
streamed answer as its first few characters. This folds every update into the output it updates,
as JupyterLab and nbclient do, before nbval reads the message: the output nbval compares (and the
one a saved notebook holds) is the final render.
"""

from __future__ import annotations


def install() -> None:
    try:
        from nbformat.notebooknode import from_dict
        from nbval.plugin import IPyNbFile
    except ImportError:  # no nbval: nothing to fix
        return
    original = IPyNbFile.get_kernel_message
    if getattr(original, "folds_display_updates", False):
        return

    def get_kernel_message(self, timeout=None, stream="iopub"):
        shown = self.__dict__.setdefault("_shown_by_display_id", {})
        while True:
            msg = original(self, timeout=timeout, stream=stream)
            content = msg.get("content") or {}
            display_id = (content.get("transient") or {}).get("display_id")
            if stream != "iopub" or not display_id:
                return msg
            if msg.get("msg_type") in ("display_data", "execute_result"):
                # nbval keeps a NotebookNode as it is (a plain dict would be copied), so this stays the live one.
                content["data"] = from_dict(content.get("data") or {})
                shown.setdefault(display_id, []).append(content["data"])
                return msg
            if msg.get("msg_type") != "update_display_data":
                return msg
            for data in shown.get(display_id, []):
                data.clear()
                data.update(from_dict(content.get("data") or {}))

    get_kernel_message.folds_display_updates = True
    IPyNbFile.get_kernel_message = get_kernel_message
