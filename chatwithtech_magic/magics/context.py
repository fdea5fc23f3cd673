"""The notebook as context, seen from the shell: errors kept as they happen, cells by number.

Imported on first use (the first failing cell, or the first ``%%chat``), not at ``%load_ext``.
"""

from __future__ import annotations

from ..error_log import ErrorLog
from ..placeholders import Notebook


def record_error(errors: ErrorLog, result) -> None:
    """Keep a failing cell's error (``post_run_cell``); later cells never erase it."""
    error = result.error_in_exec or result.error_before_exec
    count = result.execution_count
    if error is None or count is None or isinstance(error, KeyboardInterrupt):
        return  # a stopped cell did not fail; a cell outside the history has no number to refer to
    info = getattr(result, "info", None)
    code = getattr(info, "raw_cell", None) or ""
    if _own_usage_error(code, error):
        return  # a mistyped %%chat option already got its one-line message; explain the user's code instead
    # skip_frames=1: IPython's own ``run_code`` frame, which the user never wrote.
    errors.record(count, code, error, skip_frames=1, before_exec=result.error_in_exec is None)


def _own_usage_error(code: str, error: BaseException) -> bool:
    from IPython.core.error import UsageError

    return isinstance(error, UsageError) and code.lstrip().startswith(("%chat", "%%chat"))


def notebook(shell, errors: ErrorLog, figures=None) -> Notebook:
    """The shell's cells as the user wrote them (``In`` holds the transformed code), outputs and errors."""
    history = getattr(shell, "history_manager", None)
    inputs = getattr(history, "input_hist_raw", None) or shell.user_ns.get("In") or [""]
    outputs = getattr(history, "output_hist", None)
    return Notebook(
        inputs=inputs,
        outputs=outputs if outputs is not None else shell.user_ns.get("Out", {}),
        errors=errors,
        figures=figures if figures is not None else {},
        # The running cell is stored before it runs (IPython 8 and 9 alike); IPython 9 already
        # counts the next cell in ``execution_count`` while this one runs, IPython 8 does not.
        current=len(inputs) - 1,
    )


def show_dry_run(magics, prompt: str, request, fresh: bool = False) -> None:
    """``--dry-run``: what ``ask`` would send, as plain text; nothing is sent or remembered."""
    from ..conversation import Conversation
    from ..preview import render
    from .show import notice

    magics.session.meter.budget = magics.budget  # as ChatMagics.ask does: an over-budget cell is named
    # --new would start from an empty conversation: show that, without forgetting the real one.
    outgoing, answer, refusal = magics.session.preview(prompt, request, Conversation() if fresh else None)
    notice(magics.shell, render(outgoing, magics.lang, answer.note_lines(magics.lang), refusal))
    show_thumbnails(magics.shell, request.images)


def with_images(magics, request, args, found=()):
    """``request`` with the cell's images: those its placeholders named, then each ``--image`` file; a note
    saying how many are sent. None (after one line) when a file is missing or no image, or the limits are passed."""
    from ..images import ImageProblem, check_request, from_path, paths
    from .show import notice

    parts = list(found)
    try:
        for path in paths(getattr(args, "image", None)):
            parts.append(from_path(path, magics.image_detail, magics.image_max_side))
        check_request(parts)
    except ImageProblem as problem:
        notice(magics.shell, problem.line(magics.lang))
        return None
    if not parts:
        return request
    from ..images import Images

    return request.but(images=tuple(parts), notes=request.notes + (Images(parts).note(),))


def show_thumbnails(shell, images) -> None:
    """``--dry-run``: each image as a small picture (an image output, never base64 text), with its line."""
    if not images:
        return
    import base64

    from ..images import thumbnail

    publish = shell.display_pub.publish
    publish = getattr(publish, "__wrapped__", publish)  # a thumbnail is not an image the notebook displayed ({fig})
    for part in images:
        data, media_type = thumbnail(part)
        bundle = {media_type: base64.b64encode(data).decode("ascii"), "text/plain": part.label}
        publish(bundle, metadata={media_type: {"width": min(part.width, 256) or 256}})
