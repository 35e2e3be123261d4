"""A deterministic synthetic source tree for scale benchmarks (same seed, same bytes, every run)."""

from __future__ import annotations

import random
import string
from pathlib import Path

WORDS = ("return import class self value config client session request response data items result error path "
         "file user name host port timeout retry cache index buffer offset count parser reader writer").split()
TEMPLATES = (
    "def {a}_{b}({c}, {d}):\n    return {c}.{e}({d}) + {n}\n",
    "{A}_{B} = \"{w}\"\n",
    "    {a}: {w}\n",
    "# {a} {b} {c} {d} {e}: {n}\n",
    "{{\"{a}\": \"{w}\", \"{b}\": {n}}},\n",
    "if {a} is not None and {b}[{n}] == '{c}':\n    {d}.{e}()\n",
    "    token = request.headers.get(\"X-{A}-Token\")\n",
    "    password = getpass.getpass(\"{a} password: \")\n",
    "    secret_{a} = os.environ[\"{A}_SECRET\"]\n",
    "    url = \"https://{a}.example.org/{b}/{n}\"\n",
)
SUFFIXES = (".py", ".yaml", ".json", ".js", ".md", ".cfg")
# About one planted fake secret per file, as a real tree with a leak or two per module would have.
SECRETS = (
    "DB_PASSWORD = \"{w}-{n}!\"\n",
    "API_KEY = \"{k}\"\n",
    "DATABASE_URL = \"postgresql://app:{w}{n}@db.internal/app\"\n",
)


def fake_line(rng: random.Random) -> str:
    picks = {k: rng.choice(WORDS) for k in "abcde"}
    picks.update({k.upper(): v.upper() for k, v in picks.items()})
    picks["n"] = str(rng.randrange(10_000))
    picks["w"] = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randrange(4, 40)))
    picks["k"] = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))
    return rng.choice(TEMPLATES).format(**picks)


def fake_secret(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    word = "".join(rng.choice(alphabet) for _ in range(12))
    key = "".join(rng.choice(alphabet) for _ in range(40))
    return rng.choice(SECRETS).format(w=word, n=rng.randrange(100), k=key)


def write_tree(root: Path, megabytes: int, seed: int = 20261128, file_kb: int = 48) -> Path:
    """Write about `megabytes` MB of code-like text into root (skipped when a finished tree is there)."""
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == f"{megabytes}:{seed}:{file_kb}":
        return root
    rng = random.Random(seed)
    lines = [fake_line(rng) for _ in range(20_000)]
    files = megabytes * 1024 // file_kb
    for index in range(files):
        folder = root / f"pkg{index // 200:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        body: list[str] = [fake_secret(rng)]
        size = 0
        while size < file_kb * 1024:
            line = lines[rng.randrange(len(lines))]
            body.append(line)
            size += len(line)
        (folder / f"mod{index:05d}{SUFFIXES[index % len(SUFFIXES)]}").write_text("".join(body))
    marker.write_text(f"{megabytes}:{seed}:{file_kb}")
    return root
