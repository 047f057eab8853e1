"""A progress bar on stderr: rows done, share, rate and time left; redrawn at most ten times a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.drawn = 0.0

    @property
    def seconds(self) -> float:
        return max(time.monotonic() - self.started, 1e-6)

    def rate(self) -> float:
        return self.done / self.seconds

    def __call__(self, rows: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self.drawn >= 0.1 or self.done >= self.total:
            self.drawn = now
            self.draw()

    def line(self) -> str:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * self.width)
        rate = self.rate()
        left = (self.total - self.done) / rate if rate > 0 and self.done < self.total else 0.0
        eta = f"{int(left // 60)}m{int(left % 60):02d}s"
        return (
            f"[{bar:<{self.width}}] {share:6.1%}  {self.done:,}/{self.total:,} rows"
            f"  {rate:,.0f} rows/s  ETA {eta}"
        )

    def draw(self) -> None:
        self.stream.write("\r" + self.line())
        self.stream.flush()

    def close(self) -> None:
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
