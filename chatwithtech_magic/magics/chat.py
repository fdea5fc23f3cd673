"""``%%chat`` and ``%chat``: ask a model from a cell, and manage the conversation.

A thin adapter: options are parsed here, the work is done by ``ChatSession``; the line
commands (``%chat reset``, ``history``, ``settings``, ...) are in ``commands.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import observe

from .. import cell as cells
from .. import options, warmup
from ..defaults import DEFAULT_TEMPERATURE, REASONING_EFFORTS
from ..i18n import Text, choose_language
from .show import Place, is_terminal, notice, show_failure
from .traits import traits as setting_traits

# The core (session, client, catalog) is imported on first use, not here: %load_ext stays fast.
if TYPE_CHECKING:
    from ..request import ChatRequest

# The line commands, run by commands.py; named here because %chat? lists them and %load_ext must not import it.
COMMANDS = ("reset", "history", "models", "error", "settings", "explain", "usage")

MSG = {
    "empty": Text(
        "Nothing to send: the cell is empty. Write your question below %%chat.",
        "没有可发送的内容：单元格为空。请在 %%chat 下方写下您的问题。",
    ),
    "command_in_cell": Text(
        "%%chat takes options, not '{command}'. Use the line magic instead: %chat {command}",
        "%%chat 只接受选项，不接受“{command}”。请改用行魔法：%chat {command}",
    ),
    "no_code": Text("The answer has no code block, so no cell was added.", "回答中没有代码块，因此未添加单元格。"),
    "code_added": Text("The answer's code is in a new cell below.", "回答中的代码已放入下方的新单元格。"),
    "code_at_prompt": Text("The answer's code is ready at the next prompt.", "回答中的代码已放在下一个提示符处。"),
    "value_interrupted": Text(
        "Reading the value of {placeholder} was interrupted (its __str__ raised KeyboardInterrupt). Nothing was sent.",
        "读取 {placeholder} 的值时被中断（其 __str__ 引发了 KeyboardInterrupt）。未发送任何内容。",
    ),
    "interrupted_early": Text(
        "Interrupted before any answer arrived, after {elapsed}; the request was ended and nothing was remembered.",
        "在收到任何回答之前已中断（已等待 {elapsed}）；请求已结束，未记录任何内容。",
    ),
    "bad_cache": Text(
        "CHATWITHTECH_CACHE is '{value}': use off, auto, record or replay. Nothing was sent.",
        "CHATWITHTECH_CACHE 为“{value}”：请使用 off、auto、record 或 replay。未发送任何请求。",
    ),
}


@magics_class
class ChatMagics(Magics):
    """Talk to OpenAI's GPT models. Configure with ``%config ChatMagics.<name> = value``."""

    # Every setting (model, temperature, timeout, ...) is a row of settings.py's table: its default, its
    # range and its help are written there once. Each trait refuses a bad value in one line (traits.py).
    # (A class body's namespace is a plain dict: the traits are put in it before the class is made.)
    locals().update(setting_traits())

    def __init__(self, shell=None, session=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self._session = session
        self._cell_errors = None  # error_log.ErrorLog, made at the first failing cell
        self._parsed: dict = {}  # (line, magic) -> the options it gave (see _parse)
        from ..displayed import Displayed

        self.displayed = Displayed()  # the images each cell displayed, for {fig} (displayed.py)
        self._display_hook = None

    @property
    def session(self):
        """The core, made on first use: importing it (and later ``openai``) is what %load_ext avoids."""
        if self._session is None:
            from ..session import ChatSession

            self._session = ChatSession()
        return self._session

    @property
    def lang(self) -> str:
        return choose_language(self.language)

    def base_request(self, connection: str | None = None) -> ChatRequest:
        from ..request import ChatRequest
        from ..retry import RetryPolicy

        return ChatRequest(
            model=self.model,
            model_is_default=not self._user_set("model"),
            temperature=self.temperature if self._user_set("temperature") else None,  # unset: each model's own rule
            reasoning_effort=self.reasoning_effort or None,
            max_tokens=self.max_tokens or None,
            system=self.system or None,
            window=self.window,
            connection=connection or self.connection,
            base_url=self.base_url,
            timeout=self.timeout,
            retry=RetryPolicy(self.retries + 1, self.max_retry_wait, self.retry_initial_delay),
            api=self.api,
            store=self.store,
        )

    # -- the magic -----------------------------------------------------------------
    @magic_arguments()
    @argument("command", nargs="?", choices=COMMANDS, help="Line magic only: reset | history | models | error | explain | usage | settings (the default).")
    @argument("-m", "--model", help="Model for this cell; any name passes through (default: ChatMagics.model).")
    @argument("-t", "--temperature", type=float, help=f"Sampling temperature for this cell (default {DEFAULT_TEMPERATURE}).")
    @argument("--max-tokens", type=int, help="Largest answer in tokens.")
    @argument("-r", "--reasoning-effort", choices=REASONING_EFFORTS, help="Reasoning effort, for reasoning models only (default: ChatMagics.reasoning_effort, else the model's).")
    @argument("--api", choices=("auto", "chat", "responses"), help="Which OpenAI API to ask: auto (default: ChatMagics.api), chat (Chat Completions) or responses.")
    @argument("-s", "--system", help="System prompt; it stays for the rest of the conversation.")
    @argument("--new", action="store_true", help="Start a fresh conversation with this cell.")
    @argument("--no-history", action="store_true", help="A one-off question: sent without earlier exchanges and not remembered.")
    @argument("-f", "--format", choices=("markdown", "text", "code"), default="markdown", help="markdown (default), text, or code: the answer's code goes into a new cell below.")
    @argument("--no-stream", action="store_true", help="Wait for the whole answer instead of streaming it.")
    @argument("--no-interpolate", action="store_true", help="Send {name} literally instead of the value of name.")
    @argument("--dry-run", action="store_true", help="Show exactly what would be sent (messages, model, parameters) and send nothing.")
    @argument("--image", action="append", metavar="PATH", help="Send an image file with the cell (PNG, JPEG, WEBP, GIF); repeatable, globs allowed. See also {fig} and {Out[n]}.")
    @argument("--out", metavar="NAME", help="Also store the answer's text in the variable NAME (with %%chat usage: the usage rows).")
    @argument("-c", "--connection", help="Named connection whose key to use (default: ChatMagics.connection).")
    @argument("--refresh", action="store_true", help="Ask again even when an answer is recorded, and record the new one (see ChatMagics.cache).")
    @line_cell_magic
    def chat(self, line, cell=None):
        """Ask a GPT model; the answer streams into the cell as Markdown.

        %%chat [options]
        your question, with {variables} from the notebook filled in

        %chat               show the settings
        %chat reset         forget the conversation
        %chat history       show the conversation
        %chat models        list the models this account can use
        %chat error         technical details of the last failure
        %chat explain       explain the last failing cell and correct it (-f code: into a new cell)
        %chat usage         tokens and estimated cost of this session, per model (--out NAME keeps the rows)
        """
        warmup.settle()  # the background imports end before this cell imports anything (warmup.py)
        if self._refused_key(line, cell):  # a key on the line: nothing is parsed, echoed or sent
            return None
        args = self._parse(line, "%chat" if cell is None else "%%chat")
        if cell is None:
            return self._command(args.command or "settings", args)
        if args.command:
            raise UsageError(MSG["command_in_cell"].get(self.lang, command=args.command))
        if args.out and options.out_problem(args.out, self.lang):  # never over __builtins__, In, get_ipython, ...
            raise UsageError(options.out_problem(args.out, self.lang))
        if options.cell_problem(args, self.lang):  # out of range: refused before any request
            raise UsageError(options.cell_problem(args, self.lang))
        if cells.is_blank(cell):
            notice(self.shell, MSG["empty"].get(self.lang))
            return None
        prompt, notes, images = self._fill(cell, args.no_interpolate)
        if prompt is None:  # a value could not be read (said in one line): the cell is not sent half-filled
            return None
        return self._ask_cell(prompt, args, notes, images)

    def _refused_key(self, line: str, cell) -> bool:
        from .line_secrets import KEY_SHAPED, might_hold_key, option_names, secrets_on_line
        from .line_urls import might_hold_url, refused

        if not might_hold_key(line) and not might_hold_url(line):
            return False
        secrets = secrets_on_line(line, options=option_names(self.chat)) or KEY_SHAPED.findall(line)
        from .key import MSG as KEY_MSG

        # A key, or a URL with a password or key of its own (line_urls.py). Neither found (a long word that is
        # no key, a plain URL in a system prompt): the line is read as usual.
        return refused(self.shell, line, secrets, KEY_MSG["refused"], self.lang, ("-c", "--connection", "-m", "--model", "-s", "--system", "--out"),
                       is_terminal(self.shell))

    def _ask_cell(self, prompt: str, args, notes=(), images=()) -> None:
        """One question from a cell (or from %chat explain): options applied, then asked, or only shown (--dry-run)."""
        request = self._request_from(args)
        request = request.but(cache=self._cache_mode(), refresh=args.refresh)
        request = request.but(notes=tuple(notes))
        if images or getattr(args, "image", None):
            from .context import with_images

            request = with_images(self, request, args, images)
            if request is None:  # a file that is missing or no image, or over the limits: said in one line, nothing sent
                return None
        if args.dry_run:
            from .context import show_dry_run

            return show_dry_run(self, prompt, request, fresh=args.new)
        if args.new:  # the new conversation starts with this cell's system prompt, whether or not it is answered
            self.session.reset(request.system if request.remember else None)
        answer = self.ask(prompt, request, args.format, out=args.out)
        if args.format == "code" and answer.text:
            self._place_code(answer.text)
        return None

    # -- the notebook as context (placeholders.py, error_log.py; the hook is registered in magics/__init__.py) --
    @property
    def cell_errors(self):
        if self._cell_errors is None:
            from ..error_log import ErrorLog

            self._cell_errors = ErrorLog()
        return self._cell_errors

    def record_error(self, result) -> None:
        """``post_run_cell``: keep a failing cell's error for {Err[n]} and %chat explain."""
        if result.error_in_exec is None and result.error_before_exec is None:
            return  # the common case costs this one check
        try:
            from .context import record_error

            record_error(self.cell_errors, result)
        except Exception:  # keeping an error for later must never add a traceback of its own
            pass

    def record_display(self, result) -> None:
        """``post_run_cell``: a cell whose value is an image displayed it (for {fig})."""
        if getattr(result, "result", None) is None:
            return  # the common case costs this one check
        from ..displayed import record_result

        record_result(self.shell, self.displayed, result)

    def _fill(self, cell: str, literal: bool = False):
        """The prompt with {name} and {In[n]}-style references filled in, notes on what was not found or cut,
        and the images its placeholders stand for ({fig}, {Out[n]}); ``(None, [], [])`` when it can't be sent."""
        if literal or "{" not in cell:  # no placeholder: nothing to fill, and no import of the filler (~5 ms, first cell)
            return cell.strip("\n"), [], []
        from ..images import part_from_bytes
        from ..placeholders import fill
        from .context import notebook

        def make_image(data: bytes, origin: str):
            return part_from_bytes(data, origin, self.image_detail, self.image_max_side)

        filled = fill(cell, self.shell.user_ns, notebook(self.shell, self.cell_errors, self.displayed.by_cell), self.max_value_chars,
                      make_image, self.lang)
        if filled.interrupted:
            notice(self.shell, MSG["value_interrupted"].get(self.lang, placeholder=filled.interrupted))
            return None, [], []
        if filled.image_problem:  # an image over the limits, without Pillow to downscale it: said in one line
            notice(self.shell, filled.image_problem)
            return None, [], []
        return filled.text.strip("\n"), filled.notes(self.lang), filled.images

    def _parse(self, line: str, name: str = "%%chat"):
        """Options split like a shell does: quotes group words and are removed (``-s "Be brief."``).

        IPython's ``parse_argstring`` keeps the quotes (``posix=False``) and raises a bare
        ``ValueError`` on an unclosed quote; both would reach the user as a wrong request or a traceback.
        """
        # A notebook re-runs the same few lines: a line read once is not read again (about 0.3 ms a cell).
        # Only lines that parsed are kept, so every bad line still gets its message.
        parsed = self._parsed.get((line, name))
        if parsed is None:
            from .args import parse

            parsed = parse(self.chat, line, self.lang, name=name)  # the same reading as %chatkey's
            if len(self._parsed) >= 64:
                self._parsed.clear()
            self._parsed[(line, name)] = parsed
        return type(parsed)(**vars(parsed))  # a copy: nothing downstream can change the kept one

    def _cache_mode(self) -> str:
        """``ChatMagics.cache``, unless CHATWITHTECH_CACHE says otherwise; a bad value stops the cell."""
        from ..replay import BadMode, effective_mode

        try:
            return effective_mode(self.cache)[0]
        except BadMode as bad:
            raise UsageError(MSG["bad_cache"].get(self.lang, value=str(bad))) from None

    @observe("model", "temperature")
    def _chosen(self, change):
        self.__dict__.setdefault("_chosen_traits", set()).add(change["name"])

    def _user_set(self, name: str) -> bool:
        """Whether the user chose this setting (%config, ipython_config.py, or assigned), not the default."""
        section = self.config["ChatMagics"] if "ChatMagics" in self.config else {}
        return name in section or name in self.__dict__.get("_chosen_traits", ())

    def _request_from(self, args) -> ChatRequest:
        request = self.base_request(args.connection)
        changes = {
            "model": args.model,
            "temperature": args.temperature,
            "max_tokens": args.max_tokens,
            "system": args.system,
            "reasoning_effort": args.reasoning_effort,
            "api": args.api,
        }
        request = request.but(**{k: v for k, v in changes.items() if v is not None})
        if args.model:
            request = request.but(model_is_default=False)
        if args.no_stream:
            request = request.but(stream=False)
        if args.no_history:
            request = request.but(remember=False, window=0)
        return request

    # -- asking and showing ----------------------------------------------------------
    def ask(self, prompt: str, request: ChatRequest, fmt: str = "markdown", panel=None, out: str | None = None, view=None):
        """``panel``: asked again through that error panel's button; the result replaces its message.
        ``view``: a Retry's (render/retake.py), over the answer the cell shows."""
        view = view if view is not None else self._view(fmt, panel)
        self.session.meter.budget = self.budget  # read at every ask: a Retry after raising it goes through
        answer = self.session.ask(prompt, request, view, throttle_interval=self.render_interval)
        retake = getattr(view, "retake", None)
        if retake is not None:  # the history holds what stays on screen, once (ask_again.py)
            retake.restore_history(self.session.conversation)
        place = panel.place if panel is not None else None
        if answer.failure is not None:
            if retake is None or not view.show_failure(answer, panel):
                spare = view.spare_output() if panel is None and hasattr(view, "spare_output") else None
                show_failure(self.shell, answer.failure, self.lang, self._action_handler(prompt, request, fmt, out, view, answer), panel, spare)
        elif answer.interrupted and not answer.text:
            from ..render.waiting import clock_text

            spare = view.spare_output() if place is None and hasattr(view, "spare_output") else None
            if spare is not None:  # the live line's blank output says it, instead of staying behind empty
                place = Place({"text/plain": ""}, spare)
            notice(self.shell, MSG["interrupted_early"].get(self.lang, elapsed=clock_text(answer.elapsed or 0)), place)
        elif panel is not None:
            panel.close()  # resolved: the answer stands where the message was, the buttons go
        if out and (answer.text or panel is None):  # after a panel's Retry too, once it brings an answer
            self.shell.user_ns[out] = answer.text
        return answer

    def _view(self, fmt: str, panel=None):
        from ..render.answer import MarkdownView, TerminalView

        if is_terminal(self.shell):
            view = TerminalView(self.lang)
            view.show_thinking = self.show_thinking
            return view
        # Through a panel's button, the answer streams into the panel's message output (by display id).
        view = MarkdownView(self.lang, display=panel.place.display) if panel is not None else MarkdownView(self.lang)
        view.plain = fmt == "text"
        view.show_thinking = self.show_thinking
        return view

    def _action_handler(self, prompt: str, request: ChatRequest, fmt: str, out: str | None = None, view=None, answer=None):
        """What the panel's buttons do: each re-runs the same question; the result replaces the panel's message,
        and the answer replaces the (cut-off) answer the cell shows, in place (render/retake.py)."""

        from ..errors import RESET, RETRY, SET_KEY, SWITCH_MODEL
        from ..render.retake import Shown

        shown = Shown(view, answer)

        def on_action(action: str, target: str | None, panel) -> None:
            if action == SET_KEY:
                from .key import KeyMagics

                KeyMagics.show_form(self, request.connection, panel.slot)
                return
            # Settings the panel tells the user to fix before pressing Retry (base URL, timeout,
            # retries) are read again; the cell's own options (model, temperature, ...) are kept.
            fresh = self.base_request(request.connection)
            retry_request = request.but(base_url=fresh.base_url, timeout=fresh.timeout, retry=fresh.retry)
            if action == SWITCH_MODEL and target:
                retry_request = retry_request.but(model=target, model_is_default=False)
            if action == RESET:
                self.session.reset()
            if action in (RETRY, SWITCH_MODEL, RESET):  # the cut-off exchange is not sent as history (ask_again.py)
                retry_view = shown.retry(self.session.conversation, prompt, request.remember, self._view(fmt, panel), panel.place, self.lang)
                shown.answer = self.ask(prompt, retry_request, fmt, panel, out, retry_view)

        return on_action

    def _place_code(self, text: str) -> None:
        code = cells.extract_code(text)
        if code is None:
            notice(self.shell, MSG["no_code"].get(self.lang))
            return
        self.shell.set_next_input(code, replace=False)
        notice(self.shell, MSG["code_at_prompt" if is_terminal(self.shell) else "code_added"].get(self.lang))

    # -- line commands (commands.py, imported on first use) --------------------------------
    def _command(self, command: str, args):
        from .commands import run

        return run(self, command, args)
