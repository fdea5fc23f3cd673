"""%chatkey: the form, the line commands, and keys that never leak."""

import json

import pytest
from IPython.utils.capture import capture_output

from tests.support.environment import TEST_KEY
from tests.support.openai_server import invalid_api_key

VIEW = "application/vnd.jupyter.widget-view+json"


def shown_widget(cap):
    import ipywidgets

    model_id = next(o.data[VIEW]["model_id"] for o in cap.outputs if VIEW in o.data)
    return ipywidgets.widgets.widget._instances[model_id]


def open_form(shell, line=""):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", line)
    widget = shown_widget(cap)
    form = next(f for f in _forms(shell) if f.widget is widget)
    return form, cap


def _forms(shell):
    from chatwithtech_magic.widgets.key_form import KeyForm

    import gc

    return [o for o in gc.get_objects() if isinstance(o, KeyForm)]


def everything_in(cap) -> str:
    return json.dumps([o.data for o in cap.outputs], ensure_ascii=False) + cap.stdout + cap.stderr


def test_the_form_offers_provider_key_organization_project_save_and_delete(shell):
    form, cap = open_form(shell)
    assert form.key.value == ""
    assert [form.save_button.description, form.delete_button.description] == ["Save & test", "Delete connection"]
    assert form.provider.options == (("OpenAI", "openai"), ("OpenAI-compatible", "compatible"))
    assert form.base_url.layout.display == "none"
    form.provider.value = "compatible"
    assert form.base_url.layout.display is None
    assert "No key set." in form.status.value
    assert "needs a live notebook" in cap.outputs[-1].data["text/plain"]  # the form's own fallback, after its intro


def test_saving_the_form_stores_the_key_empties_the_field_and_shows_it_masked(shell, server, memory_keyring):
    form, _ = open_form(shell)
    form.key.value = TEST_KEY
    form.org.value = "org-team"
    form.save_button.click()
    assert form.key.value == ""
    assert "sk-…WXYZ" in form.status.value and "org-team" in form.status.value and "keyring" in form.status.value
    assert "Connected: 8 chat models (and 5 models not for chat)" in form.result.value
    assert server.requests[-1].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert server.requests[-1].headers["openai-organization"] == "org-team"
    assert ("chatwithtech_magic", "openai") in memory_keyring.entries


def test_a_saved_notebook_holds_no_key_in_its_widget_state(shell):
    import ipywidgets.embed

    form, _ = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    state = json.dumps(ipywidgets.embed.embed_data(views=[form.widget])["manager_state"], ensure_ascii=False)
    assert TEST_KEY not in state
    assert "sk-…WXYZ" in state


def test_the_form_shows_the_friendly_error_when_the_key_is_rejected(shell, server):
    server.valid_keys = {"sk-the-right-key-0000000000"}
    form, _ = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    assert "The API key was rejected" in form.result.value
    assert TEST_KEY not in form.result.value


def test_on_a_headless_machine_the_form_keeps_the_key_for_this_session_and_says_how_to_persist_it(shell, server, fail_keyring):
    form, _ = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    assert "this session only" in form.status.value
    assert "OPENAI_API_KEY" in form.result.value and "keyring backend" in form.result.value
    assert "Connected" in form.result.value
    with capture_output() as cap:
        shell.run_cell_magic("chat", "", "Hello")
    assert "Hello from the test server." in cap.outputs[-1].data["text/plain"]


def test_delete_connection_removes_the_key_and_says_so(shell, memory_keyring):
    form, _ = open_form(shell)
    form.key.value = TEST_KEY
    form.save_button.click()
    form.delete_button.click()
    assert memory_keyring.entries == {}
    assert "Deleted connection 'openai'" in form.result.value
    assert "No key set." in form.status.value


def test_a_key_on_the_magic_line_is_refused_and_masked_out_of_history(shell):
    with capture_output() as cap:
        result = shell.run_cell(f"%chatkey set {TEST_KEY}", store_history=True)
    assert result.success  # an "ok" reply: only then does JupyterLab rewrite the cell
    assert "Refused" in cap.stdout
    assert TEST_KEY not in everything_in(cap)
    history = shell.history_manager
    assert all(TEST_KEY not in line for line in shell.user_ns["In"])
    assert all(TEST_KEY not in source for _, _, source in history.get_range(raw=True))
    assert all(TEST_KEY not in source for _, _, source in history.get_range(raw=False))
    assert shell.rl_next_input == "%chatkey set"


@pytest.mark.parametrize("line", [TEST_KEY, f"set --org org-1 {TEST_KEY}", "set abcdefghijklmnopqrstuvwxyz0123"])
def test_anything_key_shaped_on_the_line_is_refused_without_being_echoed(shell, line):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", line)
    assert "Refused" in cap.stdout
    assert line.split()[-1] not in everything_in(cap)


def test_set_prompts_for_the_key_without_echo_and_for_the_organization(shell, monkeypatch, memory_keyring):
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or TEST_KEY)
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "org-typed")
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "set")
    assert "Saved the key sk-…WXYZ" in cap.stdout
    assert TEST_KEY not in everything_in(cap)
    assert len(prompts) == 2 and "hidden" in prompts[0]
    stored = json.loads(memory_keyring.entries[("chatwithtech_magic", "openai")])
    assert stored["organization"] == "org-typed"


def test_set_with_org_given_only_prompts_for_the_key(shell, monkeypatch, memory_keyring):
    monkeypatch.setattr("getpass.getpass", lambda prompt: TEST_KEY)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("no organization prompt expected"))
    with capture_output():
        shell.run_line_magic("chatkey", "set --org org-given")
    assert json.loads(memory_keyring.entries[("chatwithtech_magic", "openai")])["organization"] == "org-given"


def test_set_where_the_frontend_cannot_prompt_says_what_to_do_instead(shell, monkeypatch):
    from IPython.core.error import StdinNotImplementedError

    def no_stdin(prompt):
        raise StdinNotImplementedError("getpass was called, but this frontend does not support input requests.")

    monkeypatch.setattr("getpass.getpass", no_stdin)
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "set")
    assert "can't prompt for input" in cap.stdout


def test_status_shows_the_masked_key_its_source_and_the_resolution_order(shell, api_key):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "status")
    assert "sk-…WXYZ" in cap.stdout and "the OPENAI_API_KEY environment variable" in cap.stdout
    assert "this session, then the keyring, then OPENAI_API_KEY" in cap.stdout
    assert api_key not in everything_in(cap)


def test_test_lists_the_models_or_shows_the_friendly_error(shell, server, api_key):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "test")
    assert "Connected: 8 chat models (and 5 models not for chat)" in cap.stdout
    server.script_models(invalid_api_key(api_key))
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "test")
    assert "The API key was rejected" in everything_in(cap)
    assert api_key not in everything_in(cap)


def test_delete_removes_the_key_and_mentions_a_remaining_environment_key(shell, memory_keyring, api_key):
    shell.magics_manager.registry["KeyMagics"].store.save("openai", "sk-stored-key-000000009999")
    with capture_output() as cap:
        shell.run_line_magic("chatkey", "delete")
    assert memory_keyring.entries == {}
    assert "Deleted connection 'openai'" in cap.stdout
    assert "OPENAI_API_KEY is still set" in cap.stdout


def test_named_connections_keep_a_gateway_beside_openai(shell, server, memory_keyring, api_key):
    store = shell.magics_manager.registry["KeyMagics"].store
    store.save("gateway", "sk-gateway-key-00000000777", base_url=server.base_url)
    with capture_output():
        shell.run_cell_magic("chat", "-c gateway", "Hi gateway")
        shell.run_cell_magic("chat", "", "Hi openai")
    auth = [r.headers["authorization"] for r in server.chat_requests()]
    assert auth == ["Bearer sk-gateway-key-00000000777", f"Bearer {api_key}"]


def test_the_key_organization_and_project_fields_stay_visible_for_openai(shell):
    form, _ = open_form(shell)
    assert form.provider.value == "openai"
    assert form.base_url.layout.display == "none"
    for field in (form.key, form.org, form.project):
        assert field.layout.display != "none"


def test_a_key_leaving_the_field_is_taken_out_of_widget_state_before_save(shell, server):
    import ipywidgets.embed

    form, _ = open_form(shell)
    form.key.value = TEST_KEY  # what the browser sends when the field loses focus
    assert form.key.value == ""
    assert "sk-…WXYZ received" in form.key.placeholder
    state = json.dumps(ipywidgets.embed.embed_data(views=[form.widget])["manager_state"], ensure_ascii=False)
    assert TEST_KEY not in state
    form.save_button.click()
    assert "Connected" in form.result.value
    assert server.requests[-1].headers["authorization"] == f"Bearer {TEST_KEY}"


def test_the_form_magic_returns_nothing_so_no_out_entry_is_shown(shell):
    with capture_output():
        result = shell.run_cell("%chatkey", store_history=True)
    assert result.result is None
