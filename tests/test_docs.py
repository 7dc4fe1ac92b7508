"""Every command has help and appears in the README; the README's settings exist."""

import re

from click.testing import CliRunner

from rag.cli import cli
from rag.settings import Settings

from conftest import ROOT


def test_every_command_has_help_and_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    assert set(cli.commands) == {"index", "add", "show", "ask", "chat", "ui", "serve", "eval"}
    for name in cli.commands:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name
        assert f"`rag {name}" in readme, name


def test_readme_settings_are_real() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(RAG_[A-Z_]+)`", readme))
    fields = {f"RAG_{name.upper()}" for name in Settings.model_fields}
    assert documented <= fields, documented - fields
    assert {f"RAG_{n.upper()}" for n in ("llm", "top_k", "chunk_size", "api_key")} <= documented
