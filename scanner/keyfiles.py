"""Files that are one key and nothing else, known by their path: Rails' config/master.key and the per-environment
config/credentials/<environment>.key, each the 32 hex digits (SecureRandom.hex(16)) that decrypt
credentials.yml.enc, and with it every production secret of the application.

Such a file holds no name for the keyword search to find. Its text is read as the key followed by the name of
the environment variable Rails takes the same key from (`<key> # RAILS_MASTER_KEY`), one line as in the file
and the key at its own column, and the rule for that variable (rules/credential-files.toml, rails-master-key)
reports it there. A file of any other content at such a path is read as it is.
"""

from __future__ import annotations

import re

RAILS_KEY_FILE = r"config/(?:master|credentials/[\w.-]+)\.key"
RAILS_KEY_PATH = re.compile(rf"(?:^|/){RAILS_KEY_FILE}$")
RAILS_KEY_HEADER = re.compile(rf"^\+\+\+ b/(?:.*/)?{RAILS_KEY_FILE}$".encode(), re.M)  # in a git patch
RAILS_KEY_TEXT = re.compile(r"([0-9a-f]{32})[ \t]*\r?\n?")  # a Windows editor ends it with CRLF
KEY_VARIABLE = "RAILS_MASTER_KEY"


def key_file_text(path: str, text: str) -> str:
    """What the rules read of a file at `path`: a Rails key file's key, named by the variable that carries it;
    any other text unchanged."""
    if not path.endswith(".key") or not RAILS_KEY_PATH.search(path):
        return text
    key = RAILS_KEY_TEXT.fullmatch(text)
    return f"{key.group(1)} # {KEY_VARIABLE}\n" if key else text


def names_key_file(patch: bytes, start: int, header_end: int) -> bool:
    """Whether the file header patch[start:header_end] of a git patch names a Rails key file, searched in place:
    its added line holds no keyword, so the history must parse the section anyway."""
    return patch.find(b".key\n", start, header_end + 1) >= 0 and \
        RAILS_KEY_HEADER.search(patch, start, header_end) is not None
