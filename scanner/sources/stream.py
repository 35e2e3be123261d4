"""Text that is not a file of a tree: standard input (a pre-receive hook, `git show | credlint scan -`), or
one string (rule examples, tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from credlint.model import Chunk, Finding, Skip
from credlint.sources.base import Item, KeywordEnds, Progress, ReadLimits, Scan, Settled, SourceInfo


@dataclass(slots=True)
class Collected:
    """A source whose chunks are whole files: findings need no placing."""

    found: list[Finding] = field(default_factory=list)

    def take(self, origin: object, found: list[Finding]) -> None:
        self.found.extend(found)

    def settle(self, scan: Scan) -> Settled:
        return Settled(self.found)


class TextSource(Collected):
    def __init__(self, path: str, text: str) -> None:
        super().__init__()
        self.chunk = Chunk(path, text)
        self.info = SourceInfo(root=".", mode="stdin")

    def items(self, limits: ReadLimits, progress: Progress | None,
              prefilter: KeywordEnds | None = None) -> Iterator[Item]:
        yield self.chunk


class StreamSource(Collected):
    def __init__(self, stream: BinaryIO, name: str = "stdin") -> None:
        super().__init__()
        self.stream, self.name = stream, name
        self.info = SourceInfo(root=os.getcwd(), mode="stdin")

    def items(self, limits: ReadLimits, progress: Progress | None,
              prefilter: KeywordEnds | None = None) -> Iterator[Item]:
        # One byte over the limit is enough to know: the rest of the stream is never held in memory.
        data = self.stream.read(limits.max_size + 1)
        if len(data) > limits.max_size:
            yield Skip(self.name, "too-large", f"over {limits.max_size} bytes")
        else:
            yield limits.chunk(self.name, data)
