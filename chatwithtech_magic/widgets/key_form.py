"""The ``%chatkey`` form: set, test and delete a connection without typing the key into a cell.

The Password field is emptied the moment Save reads it, so a notebook saved with
widget state holds no key; the status line shows the key masked, never whole. The
field's value is never echoed back to other frontends (``echo_update=False``), and
every text placed in the form's HTML is escaped: it can hold a server's words.
"""

from __future__ import annotations

from ..credentials import SOURCE_ENVIRONMENT, SOURCE_LABELS, CredentialStore, key_problem
from ..masking import mask
from ..urls import mask_url
from ..urls import unmask_url
from ..i18n import Counted, Text, bracketed, sentences
from ..render.panels import failure_html
from ..render.safe import html_output, html_text

TEXT = {
    "provider": Text("Provider", "提供者"),
    "compatible": Text("OpenAI-compatible", "兼容 OpenAI 的服务"),
    "base_url": Text("Base URL", "基础 URL"),
    "key": Text("API key", "API 密钥"),
    "key_placeholder": Text("paste your secret key (sk-…)", "粘贴您的秘密密钥（sk-…）"),
    "key_ready": Text("{key} received — press Save & test", "已收到 {key} — 请点击“保存并测试”"),
    "org": Text("Organization ID", "组织 ID"),
    "project": Text("Project ID", "项目 ID"),
    "optional": Text("optional", "可选"),
    "save": Text("Save & test", "保存并测试"),
    "delete": Text("Delete connection", "删除连接"),
    "title": Text("OpenAI connection '{connection}'", "OpenAI 连接“{connection}”"),
    "no_key": Text("No key set.", "尚未设置密钥。"),
    "status": Text("Key {key} · organization {org} · from {source}", "密钥 {key} · 组织 {org} · 来源：{source}"),
    "type_key": Text("Type a key first.", "请先输入密钥。"),
    "not_saved": Text("Nothing was saved.", "未保存任何内容。"),
    "testing": Text("Saved. Testing…", "已保存，正在测试…"),
    # Counted as %chat models counts them: chat models, and the others apart.
    "connected": Counted(Text("✔ Connected: 1 chat model.", "✔ 已连接：1 个聊天模型。"),
                         Text("✔ Connected: {count} chat models.", "✔ 已连接：{count} 个聊天模型。")),
    "others": Counted(Text("and 1 model not for chat", "另有 1 个非聊天模型"),
                      Text("and {count} models not for chat", "另有 {count} 个非聊天模型")),
    "session_only": Text(
        "⚠ The keyring is not available here ({problem}), so the key is held in memory for this session only. "
        "To keep it, set OPENAI_API_KEY in the Jupyter server's environment, or install or unlock a keyring backend.",
        "⚠ 此处无法使用密钥环（{problem}），因此密钥仅保存在本会话的内存中。"
        "如需长期保存，请在 Jupyter 服务器的环境中设置 OPENAI_API_KEY，或安装或解锁一个密钥环后端。",
    ),
    "session_only_ahead": Text(
        "⚠ No usable keyring here ({problem}): a key saved in this form will be held in memory for this session only. "
        "To keep one, set OPENAI_API_KEY in the Jupyter server's environment, or install or unlock a keyring backend.",
        "⚠ 此处没有可用的密钥环（{problem}）：在此表单中保存的密钥仅会保存在本会话的内存中。"
        "如需长期保存，请在 Jupyter 服务器的环境中设置 OPENAI_API_KEY，或安装或解锁一个密钥环后端。",
    ),
    "session_only_terminal": Text(
        "⚠ The keyring is not available here ({problem}), so the key is held in memory for this session only. "
        "To keep it, set OPENAI_API_KEY in your shell before starting IPython, or install or unlock a keyring backend.",
        "⚠ 此处无法使用密钥环（{problem}），因此密钥仅保存在本会话的内存中。"
        "如需长期保存，请在启动 IPython 之前在 shell 中设置 OPENAI_API_KEY，或安装或解锁一个密钥环后端。",
    ),
    "bad_key": Text(
        "✖ Not saved: the key has a character a key cannot have ({problem}), usually picked up while copying it. "
        "Copy it again from the API keys page and paste it above.",
        "✖ 未保存：密钥中含有密钥不可能包含的字符（{problem}），这通常是复制时带进来的。请从 API 密钥页面重新复制并粘贴到上方。",
    ),
    "deleted": Text("Deleted connection '{connection}'.", "已删除连接“{connection}”。"),
    "keyring_problem": Text(
        "The keyring is not available here ({problem}); only this session's copy was removed.",
        "此处无法使用密钥环（{problem}）；仅删除了本会话中的副本。",
    ),
    "env_remains": Text(
        "OPENAI_API_KEY is still set in the environment and will be used.",
        "环境中仍设置了 OPENAI_API_KEY，将继续使用它。",
    ),
    "no_widgets": Text(
        "The %chatkey form needs a live notebook with ipywidgets. Use %chatkey set, %chatkey status or %chatkey delete instead.",
        "%chatkey 表单需要可运行 ipywidgets 的笔记本。请改用 %chatkey set、%chatkey status 或 %chatkey delete。",
    ),
}


def connected_line(model_ids: list[str], language: str) -> str:
    """``✔ Connected: 8 chat models (and 5 models not for chat).``: the numbers ``%chat models`` shows."""
    from ..models import chat_models

    chat = len(chat_models(model_ids))
    others = len(model_ids) - chat
    line = TEXT["connected"].get(language, chat)
    if not others:
        return line
    return line[:-1] + bracketed(TEXT["others"].get(language, others), language) + line[-1]  # before the full stop


def status_line(credentials, language: str) -> str:
    if credentials is None:
        return TEXT["no_key"].get(language)
    return TEXT["status"].get(
        language,
        key=credentials.masked_key,
        org=credentials.organization or "—",
        source=SOURCE_LABELS[credentials.source].get(language),
    )


class KeyForm:
    """The widgets and what Save and Delete do; ``test(connection)`` returns the model ids or raises ChatFailure.

    ``titled``: the form names its connection itself; shown by ``%chatkey``, the output above it does.
    """

    def __init__(self, store: CredentialStore, connection: str, language: str, test, titled: bool = True):
        import ipywidgets as w

        self.store, self.connection, self.language, self.test = store, connection, language, test
        t = lambda name: TEXT[name].get(language)  # noqa: E731
        current = store.resolve(connection)
        style = {"description_width": "130px"}
        wide = lambda: w.Layout(width="520px")  # noqa: E731 -- one Layout each: hiding one field must not hide another
        self.provider = w.Dropdown(
            options=[("OpenAI", "openai"), (t("compatible"), "compatible")],
            value="compatible" if current and current.base_url else "openai",
            description=t("provider"),
            style=style,
        )
        # The field shows the URL masked (urls.mask_url: a user:password@ or ?api-key= must not sit in widget
        # state or a saved notebook); the real one waits here, and Save puts back each "…" left in place.
        # continuous_update=False: a typed URL arrives once, when the field is left, and is masked then.
        self._url_behind = current.base_url if current else None
        self.base_url = w.Text(value=mask_url(self._url_behind), description=t("base_url"),
                               placeholder="http://localhost:4000/v1", style=style, layout=wide(), continuous_update=False)
        self.base_url.observe(self._take_url, names="value")
        # continuous_update=False: the typed key reaches the kernel once, when the field is left, and
        # _take_key moves it out of widget state at once, so even a notebook saved before
        # "Save & test" holds no key.
        self.key = SecretField(value="", description=t("key"), placeholder=t("key_placeholder"), style=style,
                              layout=wide(), continuous_update=False)
        self._pending_key: str | None = None
        self.key.observe(self._take_key, names="value")
        self.org = w.Text(value=(current.organization or "") if current else "", description=t("org"),
                          placeholder=f"org-…{bracketed(t('optional'), language)}", style=style, layout=wide())
        self.project = w.Text(value=(current.project or "") if current else "", description=t("project"),
                              placeholder=f"proj_…{bracketed(t('optional'), language)}", style=style, layout=wide())
        self.save_button = w.Button(description=t("save"), button_style="primary", icon="check", layout=w.Layout(width="auto"))
        self.delete_button = w.Button(description=t("delete"), button_style="danger", icon="trash", layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.result = w.HTML()
        self.save_button.on_click(self.save)
        self.delete_button.on_click(self.delete)
        self.provider.observe(lambda _change: self._show_base_url(), names="value")
        self._show_base_url()
        self.refresh_status()
        title = [w.HTML(html_output(f"<b>{html_text(TEXT['title'].get(language, connection=connection))}</b>"))] if titled else []
        self.widget = w.VBox(
            [
                *title,
                self.provider, self.base_url, self.key, self.org, self.project,
                w.HBox([self.save_button, self.delete_button]),
                self.status, self.result,
            ]
        )
        self.widget.add_class("chatwithtech-key-form")
        # Said before anyone types a key: where a key saved here would live, and why.
        ahead = store.keyring_available()
        if ahead is not None:
            self._say(html_text(t("session_only_ahead").format(problem=ahead.get(language))))

    def _say(self, markup: str) -> None:
        """The result line: escaped HTML, in an element MathJax leaves alone ("$" is never math)."""
        self.result.value = html_output(markup)

    def _take_url(self, change) -> None:
        shown = mask_url(change["new"])
        if shown != change["new"]:  # a URL with a secret of its own: kept here, shown masked
            self._url_behind = change["new"].strip()
            self.base_url.value = shown

    def _show_base_url(self) -> None:
        self.base_url.layout.display = None if self.provider.value == "compatible" else "none"

    def refresh_status(self) -> None:
        line = html_text(status_line(self.store.resolve(self.connection), self.language))
        self.status.value = html_output(f"<span class='chatwithtech-key-status'>{line}</span>")

    def __repr__(self) -> str:
        return f"<KeyForm connection={self.connection!r}>"

    def _take_key(self, change) -> None:
        if change["new"]:
            self._pending_key = change["new"].strip()
            self.key.value = ""  # the key must not linger in widget state
            self.key.placeholder = TEXT["key_ready"].get(self.language, key=mask(self._pending_key))

    def save(self, _button=None) -> None:
        key = self._pending_key or self.key.value.strip()
        self._pending_key = None
        self.key.value = ""
        self.key.placeholder = TEXT["key_placeholder"].get(self.language)
        t = lambda name, **kw: TEXT[name].get(self.language, **kw)  # noqa: E731
        base_url = unmask_url(self.base_url.value, self._url_behind) if self.provider.value == "compatible" else None
        from ..options import base_url_problem

        unreachable = base_url_problem(base_url, TEXT["base_url"].get(self.language), self.language)
        if unreachable:  # no http:// or https://: not stored, and said now rather than as a network failure later
            del key
            self._say(html_text(sentences(self.language, unreachable, TEXT["not_saved"].get(self.language))))
            return
        problem = key_problem(key)
        if problem:  # refused here, not stored and refused later on use
            del key
            self._say(html_text(t("bad_key", problem=problem)))
            return
        # An empty field keeps the stored key and changes only the other fields.
        outcome = self.store.save_or_keep(self.connection, key, self.org.value, self.project.value, base_url)
        del key
        if outcome is None:
            self._say(html_text(t("type_key")))
            return
        if base_url is not None:
            self._url_behind, self.base_url.value = base_url.strip() or None, mask_url(base_url.strip())
        notes = [] if outcome.persisted else [html_text(t("session_only", problem=_reason(outcome, self.language)))]
        self.refresh_status()
        self._say("<br>".join(notes + [html_text(t("testing"))]))
        try:
            found = self.test(self.connection)
        except Exception as exc:  # ChatFailure: show the catalog panel
            failure = getattr(exc, "failure", None)
            if failure is None:  # anything else must not leave the form at "Testing…" (a callback's error is only logged)
                from ..faults import classify_other

                failure = classify_other(exc)
            self._say("<br>".join(notes) + failure_html(failure, self.language, "form"))
            return
        self._say("<br>".join(notes + [html_text(connected_line(found, self.language))]))

    def delete(self, _button=None) -> None:
        self.key.value = ""
        self._pending_key = None
        notes = delete_connection(self.store, self.connection, self.language)
        self.refresh_status()
        self._say("<br>".join(html_text(note) for note in notes))


def _reason(outcome, language: str) -> str:
    return outcome.reason.get(language) if outcome.reason is not None else (outcome.problem or "")


def delete_connection(store: CredentialStore, connection: str, language: str) -> list[str]:
    """Delete a connection; the lines that tell the user what happened (and what key still applies)."""
    outcome = store.delete(connection)
    notes = [TEXT["deleted"].get(language, connection=connection)]
    if outcome.problem:
        notes.append(TEXT["keyring_problem"].get(language, problem=_reason(outcome, language)))
    remaining = store.resolve(connection)
    if remaining is not None and remaining.source == SOURCE_ENVIRONMENT:
        notes.append(TEXT["env_remains"].get(language))
    return notes


INTRO = Text(
    "Set the API key for this connection in the form below; the key is never saved in the notebook. "
    "To open the form again (for example in a reopened notebook), run {command}.",
    "请在下方表单中为此连接设置 API 密钥；密钥绝不会保存在笔记本中。"
    "如需再次打开表单（例如重新打开笔记本后），请运行 {command}。",
)


def intro_bundle(connection: str, language: str) -> dict:
    """What the form is for, as an ordinary output above it: a saved notebook reopened with a fresh kernel
    (or none) can't show the widget ("Error displaying widget", "Loading widget..."), but still reads this.
    Only the connection's name: never the key, masked or not."""
    from ..defaults import DEFAULT_CONNECTION

    command = "%chatkey" if connection == DEFAULT_CONNECTION else f"%chatkey -c {connection}"
    title = "🔑 " + TEXT["title"].get(language, connection=connection)
    text = INTRO.get(language, command=command)
    body = html_text(text).replace(html_text(command), f"<code>{html_text(command)}</code>", 1)
    return {
        "text/plain": f"{title}\n{text}",
        "text/html": html_output(f'<div class="chatwithtech-key-intro"><strong>{html_text(title)}</strong><br>{body}</div>'),
    }


def fallback_bundle(language: str) -> dict:
    text = TEXT["no_widgets"].get(language)
    return {"text/plain": text, "text/html": html_output(f"<p>{html_text(text)}</p>")}


def _secret_field_class():
    """A Password widget whose typed value is never echoed back to other frontends.

    ipywidgets 8 sends every value a frontend sets back to all frontends (``echo_update``);
    its per-trait opt-out (``echo_update=False``, as FileUpload uses) keeps the key from
    crossing the wire a second time.
    """
    import ipywidgets as w
    from traitlets import Unicode

    class SecretField(w.Password):
        value = Unicode(help="The typed key; taken out at once, never echoed").tag(sync=True, echo_update=False)

    return SecretField


def SecretField(**kwargs):
    global _SECRET_FIELD
    if _SECRET_FIELD is None:
        _SECRET_FIELD = _secret_field_class()
    return _SECRET_FIELD(**kwargs)


_SECRET_FIELD = None
