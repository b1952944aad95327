"""``gh workflow run -F key=@path`` reads ``path`` and sends its contents as the workflow input ("respecting
@ syntax", gh help workflow run): an operator's input must not begin a -F value with ``@``. The simulated gh
reads the file as the real one does, so a flow that would leak a file on a real edge leaks it in tests."""

from __future__ import annotations

import pytest

from console.runbook.template import Context, FileReadInjection, OptionInjection, render_argv


def ctx(**inputs: str) -> Context:
    return Context(inputs=inputs)


@pytest.mark.parametrize(
    "templates",
    [
        ["workflow", "run", "w.yml", "-F", "reason={reason}"],
        ["workflow", "run", "w.yml", "--field", "reason={reason}"],
        ["workflow", "run", "w.yml", "--field=reason={reason}"],
        ["workflow", "run", "w.yml", "-Freason={reason}"],
    ],
)
def test_an_input_starting_a_field_value_with_at_is_refused(templates):
    with pytest.raises(FileReadInjection) as info:
        render_argv(templates, ctx(reason="@~/.ssh/id_rsa"))
    assert isinstance(info.value, OptionInjection)  # forms and the engine show it like an option injection
    assert "input reason" in str(info.value) and "'@'" in info.value.detail


@pytest.mark.parametrize(
    "templates, reason",
    [
        (["workflow", "run", "w.yml", "-f", "reason={reason}"], "@~/.ssh/id_rsa"),  # -f is raw: no @ syntax
        (["workflow", "run", "w.yml", "-F", "reason={reason}"], "rollback v1.4.2 @ 09:20"),  # @ not first
        (["workflow", "run", "w.yml", "-F", "body=@{reason}"], "notes.md"),  # the runbook wrote the @ itself
        (["workflow", "run", "--", "-F", "reason={reason}"], "@x"),  # after --: positionals
    ],
)
def test_other_shapes_are_not_refused(templates, reason):
    assert render_argv(templates, ctx(reason=reason))


def test_the_simulated_gh_reads_a_field_file_like_the_real_one(tmp_path, monkeypatch, capsys):
    """What the check above protects against, modelled: -F key=@file sends the file's contents."""
    from console.sim.tools import gh

    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    sent: list[dict] = []

    class Inv:
        def admin(self, method, path, body):
            sent.append(body)
            return {"url": "https://github.com/o/r/actions/runs/1", "databaseId": 1}

    tool = gh.Gh.__new__(gh.Gh)
    tool.inv = Inv()
    monkeypatch.setattr(gh, "_resolve_repo", lambda opts: "o/r")
    assert tool.workflow_run(["w.yml", "-F", f"reason=@{secret}", "-f", f"raw=@{secret}"]) == 0
    assert sent[0]["inputs"] == {"reason": "PRIVATE KEY", "raw": f"@{secret}"}
