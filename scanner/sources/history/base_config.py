"""The configuration a reviewed range is judged by: its base commit's, never that of the commits under review.

A pull request that adds `.credlint.toml` with `exclude = ["**"]` next to its token must not pass its own
gate. So in range and pre-push scans the configuration file, and the rule and baseline files it names, are
read from the base commit (`git cat-file`, sizes checked first) into a private folder, and the report says
which configuration was used. `--config FILE` still overrides.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from credlint.config import CONFIG_FILES, CONFIG_LIMIT, Config, holds_config, load_config_text
from credlint.errors import ConfigError
from credlint.sources.git import read_blobs

NAMED_FILE_LIMIT = 256 << 20  # rule files and baselines: read_bounded applies their own limits afterwards


def base_config(repo: Path, base: str, folder: Path) -> Config:
    """The configuration the base commit holds, its relative rule and baseline paths read from that commit
    into `folder`; built-in defaults when the commit has none (or there is no base: a first push)."""
    if not base:
        return Config(label="built-in defaults (no base commit)")
    short = base[:12]
    blobs = read_blobs(repo, [f"{base}:{name}" for name in CONFIG_FILES], CONFIG_LIMIT)
    for name in CONFIG_FILES:
        blob = blobs.get(f"{base}:{name}")
        if blob is None:
            continue
        if not isinstance(blob, bytes):
            raise ConfigError(f"{short}:{name}: configuration file is larger than {CONFIG_LIMIT} bytes")
        text = blob.decode("utf-8", "replace")
        if not holds_config(name, text):
            continue
        where = f"{short}:{name}"
        config = load_config_text(text, name, where, folder)
        return replace(materialise(repo, base, folder, config, where), source=where, label=where)
    return Config(label=f"built-in defaults (no configuration at {short})")


def materialise(repo: Path, base: str, folder: Path, config: Config, where: str) -> Config:
    """Write the base commit's copy of every file the configuration names inside the repository into
    `folder`; a path outside it (absolute, or leading out with ..) means the same file as on disk."""
    named = [*config.rules, *([config.baseline] if config.baseline else [])]
    inside = {path: relative for path in named if (relative := inside_repository(path, folder))}
    blobs = read_blobs(repo, sorted({f"{base}:{rel}" for rel in inside.values()}), NAMED_FILE_LIMIT)
    for relative in inside.values():
        blob = blobs.get(f"{base}:{relative}")
        if not isinstance(blob, bytes):
            raise ConfigError(f"{where}: names {relative}, which commit {base[:12]} does not hold"
                              if blob is None else f"{where}: {relative} is too large to read")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    # A relative path leading out of the repository (../shared/rules.toml) is the file beside the checkout.
    on_disk = {path: Path(os.path.normpath(repo / os.path.relpath(path, folder))) for path in named
               if path not in inside and str(path).startswith(str(folder) + os.sep)}
    return replace(config, rules=tuple(on_disk.get(p, p) for p in config.rules),
                   baseline=on_disk.get(config.baseline, config.baseline) if config.baseline else None)


def inside_repository(path: Path, folder: Path) -> str:
    """`path` relative to `folder` (the repository's root, as the configuration sees it), "" when outside."""
    relative = os.path.normpath(os.path.relpath(path, folder))
    return "" if relative == ".." or relative.startswith(("../", "/")) else relative.replace(os.sep, "/")
