"""The documentation matches the code: every command, setting and measure is described."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from carers_impact.cli import build_parser
from carers_impact.settings import SETTINGS
from measures.domain.catalogue import load_catalogue
from measures.domain.catalogue_docs import catalogue_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}")
                found += commands(sub, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize("command", commands(build_parser()))
def test_every_command_is_documented(command):
    assert f"carers-impact {command}" in DOCS


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_documented(setting):
    assert f"`{setting}`" in (ROOT / "docs" / "settings.md").read_text()


def test_the_measure_definitions_page_matches_the_catalogue():
    assert (ROOT / "docs" / "measures.md").read_text() == catalogue_markdown(load_catalogue())


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
