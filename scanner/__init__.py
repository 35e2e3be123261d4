"""credlint: find hardcoded tokens, passwords and basic-auth call sites."""

from __future__ import annotations

__version__ = "0.1.0"
