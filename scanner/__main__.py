from __future__ import annotations

from credlint.cli import main

main()
