"""The command line: the only code that prints, reads the environment and chooses exit codes."""

from credlint.cli.main import cli, main

__all__ = ["cli", "main"]
