from __future__ import annotations

from scanner.cli import main

main()
