"""``%%chat`` and ``%chat``: ask a model from a cell, and manage the conversation.

A thin adapter: options are parsed here, the work is done by ``ChatSession``.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Enum, Float, Int, TraitError, Unicode, validate

from .. import cell as cells
from ..defaults import DEFAULT_CONNECTION, DEFAULT_MODEL, DEFAULT_RENDER_INTERVAL, DEFAULT_TEMPERATURE, DEFAULT_WINDOW, WINDOW_RANGE
from ..i18n import Text, choose_language
from .show import is_terminal, notice, publish, show_failure

# The core (session, client, catalog) is imported on first use, not here: %load_ext stays fast.
if TYPE_CHECKING:
    from ..request import ChatRequest

COMMANDS = ("reset", "history", "models", "error", "settings")

MSG = {
    "empty": Text(
        "Nothing to send: the cell is empty. Write your question below %%chat.",
        "没有可发送的内容：单元格为空。请在 %%chat 下方写下您的问题。",
    ),
    "command_in_cell": Text(
        "%%chat takes options, not '{command}'. Use the line magic instead: %chat {command}",
        "%%chat 只接受选项，不接受“{command}”。请改用行魔法：%chat {command}",
    ),
    "bad_quotes": Text("Could not read the options ({problem}): {line}", "无法解析选项（{problem}）：{line}"),
    "bad_out": Text("--out needs a Python variable name, not '{name}'.", "--out 需要一个 Python 变量名，而不是“{name}”。"),
    "reset": Text("Conversation forgotten ({count} exchanges).", "已清除对话（{count} 轮）。"),
    "no_history": Text("The conversation is empty.", "对话为空。"),
    "no_error": Text("No failure so far in this session.", "本会话中尚无失败。"),
    "no_code": Text("The answer has no code block, so no cell was added.", "回答中没有代码块，因此未添加单元格。"),
    "code_added": Text("The answer's code is in a new cell below.", "回答中的代码已放入下方的新单元格。"),
    "incomplete": Text("incomplete", "不完整"),
    "interrupted_early": Text("Interrupted before any answer arrived; nothing was remembered.", "在收到任何回答之前已中断；未记录任何内容。"),
    "model_default": Text("model default", "模型默认值"),
    "key_unset": Text("not set — run %chatkey", "未设置 — 请运行 %chatkey"),
    "exchanges": Text("{count} exchanges", "{count} 轮"),
    "models_title": Text("Models for connection '{connection}' ({count}); ★ = in the catalog", "连接“{connection}”可用的模型（{count} 个）；★ = 目录中的模型"),
}


@magics_class
class ChatMagics(Magics):
    """Talk to OpenAI's GPT models. Configure with ``%config ChatMagics.<name> = value``."""

    model = Unicode(DEFAULT_MODEL, help="Model used when a cell gives no -m.").tag(config=True)
    temperature = Float(DEFAULT_TEMPERATURE, help="Sampling temperature, 0-2 (the seed's default is 0.3).").tag(config=True)
    max_tokens = Int(0, help="Largest answer in tokens; 0 leaves it to the model.").tag(config=True)
    window = Int(DEFAULT_WINDOW, help="Window memory: how many past exchanges each request sends (1-50).").tag(config=True)
    system = Unicode("", help="System prompt sent with every request.").tag(config=True)
    base_url = Unicode("", help="API base URL; empty uses the connection's, then OPENAI_BASE_URL, then OpenAI.").tag(config=True)
    timeout = Float(60.0, help="Seconds to wait for the server before giving up.").tag(config=True)
    retries = Int(3, help="Extra attempts after a rate limit, overload or network failure (quota errors: never).").tag(config=True)
    max_retry_wait = Float(60.0, help="Most seconds spent waiting between retries of one cell.").tag(config=True)
    retry_initial_delay = Float(1.0, help="First backoff in seconds when the server gives no retry hint.").tag(config=True)
    connection = Unicode(DEFAULT_CONNECTION, help="Named connection whose key is used (see %chatkey).").tag(config=True)
    language = Enum(("auto", "en", "zh"), "auto", help="UI language: auto (from the locale), en or zh.").tag(config=True)
    render_interval = Float(DEFAULT_RENDER_INTERVAL, help="Seconds between re-renders of a streaming answer.").tag(config=True)

    @validate("window")
    def _valid_window(self, proposal):
        low, high = WINDOW_RANGE
        if not low <= proposal["value"] <= high:
            raise TraitError(f"window must be between {low} and {high}")
        return proposal["value"]

    @validate("temperature")
    def _valid_temperature(self, proposal):
        if not 0 <= proposal["value"] <= 2:
            raise TraitError("temperature must be between 0 and 2")
        return proposal["value"]

    def __init__(self, shell=None, session=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self._session = session

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
            temperature=self.temperature,
            max_tokens=self.max_tokens or None,
            system=self.system or None,
            window=self.window,
            connection=connection or self.connection,
            base_url=self.base_url,
            timeout=self.timeout,
            retry=RetryPolicy(self.retries + 1, self.max_retry_wait, self.retry_initial_delay),
        )

    # -- the magic -----------------------------------------------------------------
    @magic_arguments()
    @argument("command", nargs="?", choices=COMMANDS, help="Line magic only: reset | history | models | error | settings (the default).")
    @argument("-m", "--model", help="Model for this cell; any name passes through (default: ChatMagics.model).")
    @argument("-t", "--temperature", type=float, help="Sampling temperature for this cell (default 0.3).")
    @argument("--max-tokens", type=int, help="Largest answer in tokens.")
    @argument("-s", "--system", help="System prompt; it stays for the rest of the conversation.")
    @argument("--new", action="store_true", help="Start a fresh conversation with this cell.")
    @argument("--no-history", action="store_true", help="A one-off question: sent without earlier exchanges and not remembered.")
    @argument("-f", "--format", choices=("markdown", "text", "code"), default="markdown", help="markdown (default), text, or code: the answer's code goes into a new cell below.")
    @argument("--no-stream", action="store_true", help="Wait for the whole answer instead of streaming it.")
    @argument("--no-interpolate", action="store_true", help="Send {name} literally instead of the value of name.")
    @argument("--out", metavar="NAME", help="Also store the answer's text in the variable NAME.")
    @argument("-c", "--connection", help="Named connection whose key to use (default: ChatMagics.connection).")
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
        """
        args = self._parse(line)
        if cell is None:
            return self._command(args.command or "settings", args)
        if args.command:
            raise UsageError(MSG["command_in_cell"].get(self.lang, command=args.command))
        if args.out and not args.out.isidentifier():
            raise UsageError(MSG["bad_out"].get(self.lang, name=args.out))
        if cells.is_blank(cell):
            notice(self.shell, MSG["empty"].get(self.lang))
            return None
        prompt = cell if args.no_interpolate else cells.interpolate(cell, self.shell.user_ns)
        prompt = prompt.strip("\n")
        request = self._request_from(args)
        if args.new:
            self.session.reset()
        answer = self.ask(prompt, request, args.format, out=args.out)
        if args.format == "code" and answer.text:
            self._place_code(answer.text)
        return None

    def _parse(self, line: str):
        """Options split like a shell does: quotes group words and are removed (``-s "Be brief."``).

        IPython's ``parse_argstring`` keeps the quotes (``posix=False``) and raises a bare
        ``ValueError`` on an unclosed quote; both would reach the user as a wrong request or a traceback.
        """
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            raise UsageError(MSG["bad_quotes"].get(self.lang, problem=str(exc), line=line)) from None
        return self.chat.parser.parse_args(argv)

    def _request_from(self, args) -> ChatRequest:
        request = self.base_request(args.connection)
        changes = {
            "model": args.model,
            "temperature": args.temperature,
            "max_tokens": args.max_tokens,
            "system": args.system,
        }
        request = request.but(**{k: v for k, v in changes.items() if v is not None})
        if args.no_stream:
            request = request.but(stream=False)
        if args.no_history:
            request = request.but(remember=False, window=0)
        return request

    # -- asking and showing ----------------------------------------------------------
    def ask(self, prompt: str, request: ChatRequest, fmt: str = "markdown", output=None, out: str | None = None):
        view = self._view(fmt, output)
        answer = self.session.ask(prompt, request, view, throttle_interval=self.render_interval)
        if answer.failure is not None:
            show_failure(self.shell, answer.failure, self.lang, self._action_handler(prompt, request, fmt, out), output)
        elif answer.interrupted and not answer.text:
            notice(self.shell, MSG["interrupted_early"].get(self.lang), output)
        if out and (answer.text or output is None):  # after a panel's Retry too, once it brings an answer
            self.shell.user_ns[out] = answer.text
        return answer

    def _view(self, fmt: str, output=None):
        from ..render.answer import MarkdownView, OutputWidgetView, TerminalView

        if is_terminal(self.shell):
            return TerminalView(self.lang)
        view = OutputWidgetView(output, self.lang) if output is not None else MarkdownView(self.lang)
        view.plain = fmt == "text"
        return view

    def _action_handler(self, prompt: str, request: ChatRequest, fmt: str, out: str | None = None):
        """What the panel's buttons do: each re-runs the same question, shown inside the panel."""

        from ..errors import RESET, RETRY, SET_KEY, SWITCH_MODEL

        def on_action(action: str, target: str | None, output) -> None:
            output.outputs = ()
            if action == SET_KEY:
                from .key import KeyMagics

                KeyMagics.show_form(self, request.connection, output)
                return
            # Settings the panel tells the user to fix before pressing Retry (base URL, timeout,
            # retries) are read again; the cell's own options (model, temperature, ...) are kept.
            fresh = self.base_request(request.connection)
            retry_request = request.but(base_url=fresh.base_url, timeout=fresh.timeout, retry=fresh.retry)
            if action == SWITCH_MODEL and target:
                retry_request = retry_request.but(model=target)
            if action == RESET:
                self.session.reset()
            if action in (RETRY, SWITCH_MODEL) and request.remember:
                self.session.conversation.drop_unfinished(prompt)
            if action in (RETRY, SWITCH_MODEL, RESET):
                self.ask(prompt, retry_request, fmt, output, out)

        return on_action

    def _place_code(self, text: str) -> None:
        code = cells.extract_code(text)
        if code is None:
            notice(self.shell, MSG["no_code"].get(self.lang))
            return
        self.shell.set_next_input(code, replace=False)
        notice(self.shell, MSG["code_added"].get(self.lang))

    # -- line commands -----------------------------------------------------------------
    def _command(self, command: str, args):
        return getattr(self, f"_cmd_{command}")(args)

    def _cmd_reset(self, args):
        count = len(self.session.conversation.exchanges)
        self.session.reset()
        notice(self.shell, MSG["reset"].get(self.lang, count=count))

    def _cmd_history(self, args):
        exchanges = self.session.conversation.exchanges
        if not exchanges:
            notice(self.shell, MSG["no_history"].get(self.lang))
            return
        parts, plain = [], []
        for number, exchange in enumerate(exchanges, 1):
            mark = "" if exchange.complete else f" ({MSG['incomplete'].get(self.lang)})"
            parts.append(f"**{number}. you** ({exchange.model})\n\n{exchange.prompt}\n\n**{number}. {exchange.model}**{mark}\n\n{exchange.answer}")
            plain.append(f"[{number}] you: {exchange.prompt}\n[{number}] {exchange.model}{mark}: {exchange.answer}")
        self._publish_markdown("\n\n---\n\n".join(parts), "\n\n".join(plain))

    def _cmd_models(self, args):
        from ..models import CATALOG_NAMES, catalog_first
        from ..session import ChatFailure

        request = self.base_request(args.connection)
        try:
            models = self.session.list_models(request)
        except ChatFailure as failure:
            show_failure(self.shell, failure.failure, self.lang)
            return
        ordered = catalog_first(models)
        title = MSG["models_title"].get(self.lang, connection=request.connection, count=len(models))
        lines = [f"{'★' if name in CATALOG_NAMES else ' '} {name}" for name in ordered]
        self._publish_markdown(title + "\n\n" + "\n".join(f"- {line.strip()}" for line in lines), title + "\n" + "\n".join(lines))

    def _cmd_error(self, args):
        failure = self.session.last_failure
        if failure is None:
            notice(self.shell, MSG["no_error"].get(self.lang))
            return
        details = failure.details()
        width = max(len(k) for k in details)
        notice(self.shell, "\n".join(f"{k:<{width}}  {'' if v is None else v}" for k, v in details.items()))

    def _cmd_settings(self, args):
        request = self.base_request(args.connection)
        credentials = self.session.credentials.resolve(request.connection)
        from ..credentials import SOURCE_LABELS
        from ..client import resolve_base_url

        rows = {
            "model": self.model,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens or MSG["model_default"].get(self.lang),
            "window": self.window,
            "system": self.system or "—",
            "connection": request.connection,
            "key": f"{credentials.masked_key} ({SOURCE_LABELS[credentials.source].get(self.lang)})" if credentials else MSG["key_unset"].get(self.lang),
            "organization": (credentials.organization if credentials else None) or "—",
            "base_url": resolve_base_url(credentials, self.base_url),
            "timeout": self.timeout,
            "retries": self.retries,
            "language": self.lang,
            "conversation": MSG["exchanges"].get(self.lang, count=len(self.session.conversation.exchanges)),
        }
        width = max(len(k) for k in rows)
        notice(self.shell, "\n".join(f"{k:<{width}}  {v}" for k, v in rows.items()))

    def _publish_markdown(self, markdown: str, plain: str) -> None:
        if is_terminal(self.shell):
            print(plain)
        else:
            publish({"text/markdown": markdown, "text/plain": plain})
