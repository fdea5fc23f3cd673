"""``%chatkey``: set, show, test and delete the API key, kept in the OS keyring.

A key is never accepted on the magic's line: the line is stored in the cell,
``In[]`` and IPython's history database. If someone types one anyway, it is
refused, masked out of this session's history, and the cell's text is replaced.
"""

from __future__ import annotations

from IPython.core.error import StdinNotImplementedError, UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from .. import warmup
from ..i18n import Text
from .show import is_terminal, notice, publish, show_failure

# The credential store, the form's texts and the core are imported on first use: %load_ext stays fast.

COMMANDS = ("set", "status", "test", "delete")
VALUE_OPTIONS = ("--org", "--project", "--base-url", "-c", "--connection")

MSG = {
    "refused": Text(
        "Refused: a key typed on the magic's line would be saved in the notebook and in IPython's history. "
        "It was masked in this session's history; revoke it if the notebook was shared. Use %chatkey (the form) or %chatkey set (a hidden prompt).",
        "已拒绝：写在魔法命令行上的密钥会被保存在笔记本和 IPython 历史记录中。"
        "已在本会话的历史记录中将其遮盖；如果笔记本已被分享，请撤销该密钥。请使用 %chatkey（表单）或 %chatkey set（隐藏提示）。",
    ),
    # The word itself is not repeated: on this line it may be a secret.
    "unknown": Text(
        "Unknown %chatkey command. Use: set, status, test, delete, or no argument for the form (details: %chatkey?). Nothing was changed.",
        "未知的 %chatkey 命令。可用：set、status、test、delete，或不带参数打开表单（详见 %chatkey?）。未做任何更改。",
    ),
    "prompt_key": Text("API key for '{connection}' (hidden; Enter keeps the current one): ", "连接“{connection}”的 API 密钥（输入不可见；直接回车保留当前密钥）："),
    "prompt_first_key": Text("API key for '{connection}' (hidden): ", "连接“{connection}”的 API 密钥（输入不可见）："),
    "prompt_org": Text("Organization ID (optional, Enter for {current}): ", "组织 ID（可选，直接回车为 {current}）："),
    "no_stdin": Text(
        "This frontend can't prompt for input. Use the %chatkey form, or set OPENAI_API_KEY in the server's environment.",
        "此前端无法提示输入。请使用 %chatkey 表单，或在服务器环境中设置 OPENAI_API_KEY。",
    ),
    "no_stdin_terminal": Text(
        "Nothing could be read at a hidden prompt (the input is not a terminal). Set OPENAI_API_KEY before starting IPython instead.",
        "无法在隐藏提示中读取输入（输入不是终端）。请改为在启动 IPython 之前设置 OPENAI_API_KEY。",
    ),
    "nothing": Text("No key entered; nothing changed.", "未输入密钥；未做任何更改。"),
    "saved": Text("Saved the key {key} for '{connection}' in the keyring.", "已将连接“{connection}”的密钥 {key} 保存到密钥环。"),
    "order": Text(
        "Resolution order: this session, then the keyring, then OPENAI_API_KEY.",
        "查找顺序：本会话，然后密钥环，然后 OPENAI_API_KEY。",
    ),
    "keyring": Text("Keyring backend: {backend}", "密钥环后端：{backend}"),
    "bad_key": Text(
        "Not saved: the key has a character a key cannot have ({problem}), usually picked up while copying it. "
        "Copy it again from the API keys page and run %chatkey set again.",
        "未保存：密钥中含有密钥不可能包含的字符（{problem}），这通常是复制时带进来的。请从 API 密钥页面重新复制，然后再次运行 %chatkey set。",
    ),
    "keyring_unused": Text("Not used: {problem}; keys are held for this session only.", "未使用：{problem}；密钥仅保存在本会话中。"),
    "org_is_key": Text(
        "That looks like an API key, not an organization ID (org-…); nothing was saved. Run %chatkey set again.",
        "这看起来是 API 密钥，而不是组织 ID（org-…）；未保存任何内容。请重新运行 %chatkey set。",
    ),
}


@magics_class
class KeyMagics(Magics):
    def __init__(self, shell=None, chat=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.chat = chat

    @property
    def store(self):
        return self.chat.session.credentials

    @magic_arguments()
    @argument("command", nargs="?", help="set | status | test | delete; none opens the form.")
    @argument("name", nargs="?", help="Named connection, as with -c (%%chatkey delete gateway).")
    @argument("--org", help="Organization ID to store with the key (\"\" clears it).")
    @argument("--project", help="Project ID to store with the key.")
    @argument("--base-url", help="Base URL of an OpenAI-compatible endpoint for this connection.")
    @argument("-c", "--connection", help="Named connection (default: ChatMagics.connection, 'openai').")
    @line_magic
    def chatkey(self, line):
        """Set, show, test or delete the OpenAI API key; keys live in the OS keyring.

        %chatkey            a form: provider, key (hidden), organization, Save & test, Delete
        %chatkey set        prompt for the key with a hidden prompt
        %chatkey status     the masked key, organization and where the key comes from
        %chatkey test       check the key by listing the models
        %chatkey delete     remove the key and organization from the keyring

        Never type a key on the magic's line: it would be saved in the notebook and history.
        """
        warmup.settle()  # the background imports end before this cell imports anything (warmup.py)
        lang = self.chat.lang
        secrets = self._secrets_on_line(line)
        from .line_urls import might_hold_url

        if secrets or might_hold_url(line):
            from .line_urls import refused

            # A key, or a URL with a password or key of its own (line_urls.py), is refused.
            # Printed, not raised: only an "ok" reply lets JupyterLab rewrite the cell.
            if refused(self.shell, line, secrets, MSG["refused"], lang, VALUE_OPTIONS, is_terminal(self.shell)):
                return
        from .args import NOTHING_CHANGED, parse

        args = parse(self.chatkey, line, lang, echo=False, nothing=NOTHING_CHANGED)  # split like a shell, as %%chat: --org "" clears
        if args.command not in (None, *COMMANDS):
            raise UsageError(MSG["unknown"].get(lang))
        connection = args.connection or args.name or self.chat.connection
        if args.command is None and is_terminal(self.shell):
            self._set(args, connection, lang)  # a terminal has no form: its hidden prompt does the same job
        elif args.command is None:
            self.show_form(self.chat, connection)
        else:
            getattr(self, f"_{args.command}")(args, connection, lang)
        # Nothing is returned: an Out[] entry would only repeat what is already shown.

    # -- refusing keys on the line ------------------------------------------------
    @staticmethod
    def _secrets_on_line(line: str) -> list[str]:
        from .line_secrets import option_names, secrets_on_line

        return secrets_on_line(line, COMMANDS, VALUE_OPTIONS, bare_words=True, options=option_names(KeyMagics.chatkey))

    # -- the form --------------------------------------------------------------------
    @staticmethod
    def show_form(chat, connection: str, slot=None):
        """The form in the cell, or in ``slot`` (an error panel's box, under its buttons)."""
        from ..widgets.key_form import TEXT as FORM_TEXT
        lang = chat.lang
        from ..widgets.key_form import fallback_bundle

        if is_terminal(chat.shell):
            notice(chat.shell, FORM_TEXT["no_widgets"].get(lang))
            return None
        try:
            from ..widgets.error_panel import widget_bundle
            from ..widgets.key_form import KeyForm

            # Titled only in a panel's slot: shown by %chatkey, the intro above already names the connection.
            form = KeyForm(chat.session.credentials, connection, lang, lambda name: chat.session.list_models(chat.base_request(name)),
                           titled=slot is not None)
        except ImportError:
            publish(fallback_bundle(lang))
            return None
        if slot is not None:
            slot.children = (form.widget,)  # under an error panel's message, which says what to do
        else:
            from ..widgets.key_form import intro_bundle

            publish(intro_bundle(connection, lang))  # an ordinary output: still reads when the widget can't show
            publish(widget_bundle(form.widget, fallback_bundle(lang)))
        return form

    # -- line commands ------------------------------------------------------------------
    def _set(self, args, connection: str, lang: str):
        from ..widgets.key_form import TEXT as FORM_TEXT

        from .. import options
        from ..i18n import sentences
        from .args import NOTHING_CHANGED

        unreachable = options.base_url_problem(args.base_url, "--base-url", lang)
        if unreachable:  # said before the key is asked for: nothing is stored
            notice(self.shell, sentences(lang, unreachable, NOTHING_CHANGED.get(lang)))
            return
        current = self.store.resolve(connection)
        try:
            from getpass import getpass

            prompt = "prompt_key" if current is not None else "prompt_first_key"  # no key yet: Enter keeps nothing
            key = getpass(MSG[prompt].get(lang, connection=connection)).strip()
            org = args.org
            if org is None:
                default = (current.organization if current else None) or "—"
                org = input(MSG["prompt_org"].get(lang, current=default)).strip() or (current.organization if current else None)
        except (StdinNotImplementedError, EOFError, OSError, RuntimeError):
            notice(self.shell, MSG["no_stdin_terminal" if is_terminal(self.shell) else "no_stdin"].get(lang))
            return
        from ..credentials import key_problem
        from .line_secrets import KEY_SHAPED

        problem = key_problem(key)
        if problem:  # refused now, not stored and refused on first use
            notice(self.shell, MSG["bad_key"].get(lang, problem=problem))
            return
        if org and KEY_SHAPED.search(org):
            notice(self.shell, MSG["org_is_key"].get(lang))
            return
        project = args.project if args.project is not None else (current.project if current else None)
        base_url = args.base_url if args.base_url is not None else (current.base_url if current else None)
        outcome = self.store.save_or_keep(connection, key, org, project, base_url)
        if outcome is None:
            notice(self.shell, MSG["nothing"].get(lang))
        elif outcome.persisted:
            notice(self.shell, MSG["saved"].get(lang, key=self.store.resolve(connection).masked_key, connection=connection))
        else:
            # Where to set OPENAI_API_KEY depends on where the user is: a shell, or the Jupyter server.
            wording = "session_only_terminal" if is_terminal(self.shell) else "session_only"
            reason = outcome.reason.get(lang) if outcome.reason is not None else outcome.problem
            notice(self.shell, FORM_TEXT[wording].get(lang, problem=reason))

    def _status(self, args, connection: str, lang: str):
        from ..widgets.key_form import TEXT as FORM_TEXT, status_line

        credentials = self.store.resolve(connection)
        from ..client import resolve_base_url
        from ..urls import mask_url

        lines = [
            FORM_TEXT["title"].get(lang, connection=connection),
            status_line(credentials, lang),
            f"base_url: {mask_url(resolve_base_url(credentials, self.chat.base_url))}",
        ]
        if credentials and credentials.project:
            lines.append(f"project: {credentials.project}")
        lines.append(MSG["keyring"].get(lang, backend=self.store.keyring_backend()))
        unusable = self.store.keyring_available()
        if unusable is not None:  # e.g. a plaintext file backend: named, and why it is not used
            lines.append(MSG["keyring_unused"].get(lang, problem=unusable.get(lang)))
        lines.append(MSG["order"].get(lang))
        notice(self.shell, "\n".join(lines))

    def _test(self, args, connection: str, lang: str):
        from ..errors import SET_KEY
        from ..session import ChatFailure
        from ..widgets.key_form import connected_line

        try:
            found = self.chat.session.list_models(self.chat.base_request(connection))
        except ChatFailure as failure:
            def on_action(action, _target, panel):
                if action == SET_KEY:
                    self.show_form(self.chat, connection, panel.slot)

            show_failure(self.shell, failure.failure, lang, on_action)
            return
        notice(self.shell, connected_line(found, lang))

    def _delete(self, args, connection: str, lang: str):
        from ..widgets.key_form import delete_connection

        notice(self.shell, "\n".join(delete_connection(self.store, connection, lang)))
