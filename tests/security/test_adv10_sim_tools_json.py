"""Adversarial review of the simulated tools' JSON reading (console/sim/tools/jsonlite.py and its callers).

jsonlite matches ``json.loads`` on hostile documents (deep nesting, huge numbers, NaN/Infinity, lone
surrogates, duplicate keys, BOM, trailing data, invalid UTF-8 bytes: the same values and the same errors).
But ``json.loads`` itself raises ``RecursionError`` for a document nested ~1000 deep and a plain
``ValueError`` for an integer of more than 4300 digits, and the tools catch ``ValueError`` or only
``JSONDecodeError``: a workspace file (wrangler.json, a terraform plan, package.json) or an HTTP answer
made that way ended the tool with a Python traceback instead of the tool's own parse error."""

from __future__ import annotations

import json

import pytest

from console.sim.tools import jsonlite

DEEP = ["[" * 100_000, '{"a":' * 100_000, "[" * 3000 + "]" * 3000]
HUGE = ["9" * 5000, '{"n": -' + "1" * 5000 + "}"]


@pytest.mark.parametrize("text", DEEP + HUGE, ids=["list", "object", "list3000", "int", "int-in-object"])
def test_adv10_a_deep_or_huge_document_is_a_decode_error_not_a_crash(text):
    with pytest.raises(json.JSONDecodeError):
        jsonlite.loads(text)
    with pytest.raises(json.JSONDecodeError):
        jsonlite.loads(text.encode())


def _tool(module: str, argv: list[str], capsys) -> tuple[int, str]:
    import importlib

    main = importlib.import_module(module).main
    code = main(argv)  # a RecursionError/ValueError here is the traceback the tool printed
    return code, capsys.readouterr().err


@pytest.mark.parametrize("text", [DEEP[0], DEEP[1]], ids=["list", "object"])
def test_adv10_wrangler_says_its_config_does_not_parse(tmp_path, monkeypatch, capsys, text):
    (tmp_path / "wrangler.json").write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EDGE_SIM_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("EDGE_SIM_ARGV_LOG", raising=False)
    code, err = _tool("console.sim.tools.wrangler", ["deploy"], capsys)
    assert code == 1 and "Could not parse wrangler.json" in err


def test_adv10_terraform_says_a_deep_plan_file_is_no_plan(tmp_path, monkeypatch, capsys):
    (tmp_path / "plan.json").write_text(DEEP[1])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EDGE_SIM_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("EDGE_SIM_ARGV_LOG", raising=False)
    code, err = _tool("console.sim.tools.terraform", ["show", "plan.json"], capsys)
    assert code == 1 and "Failed to load" in err


def test_adv10_npm_says_a_deep_package_json_is_invalid(tmp_path, monkeypatch, capsys):
    (tmp_path / "package.json").write_text(DEEP[0])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EDGE_SIM_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("EDGE_SIM_ARGV_LOG", raising=False)
    code, err = _tool("console.sim.tools.npm", ["run", "build"], capsys)
    assert code == 1 and "EJSONPARSE" in err
