"""A progress bar on stderr: rows done, percent, rate; redrawn at most ten times a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.done, self.stream, self.width = max(total, 1), 0, stream, width
        self.started = self.drawn = time.monotonic()

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.started, 1e-6)

    def __call__(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self.drawn >= 0.1 or self.done >= self.total:
            self.drawn = now
            self.draw()

    def draw(self) -> None:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * self.width)
        line = f"\r[{bar:<{self.width}}] {share:6.1%} {self.done:,}/{self.total:,} rows  {self.rate():,.0f} rows/s"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
