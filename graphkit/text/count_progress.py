"""Progress of a long count (texts encoded, subgraphs summarised) that reads well both on
a terminal and in a log file."""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

from tqdm.auto import tqdm


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class CountProgress:
    """Counts ``total`` items on ``stream`` (default stderr).

    On a terminal: a tqdm bar. Elsewhere (nohup, Slurm, CI logs, where carriage-return bars
    become one huge line): a plain line when the work starts, one every ``every`` seconds
    with the count, the rate and the time left, and one when it ends, e.g.
    ``tag:cora node texts: 640/2708 texts (24%), 21.3 texts/s, ETA 1m37s``.

    Args:
        total: items to count.
        desc: prefix of the bar and every line.
        unit: name of one item (default ``text``).
        enabled: False shows nothing (``--quiet``, non-zero ranks).
        initial: items already done (resumed work); the rate counts only new ones.
        every: seconds between log lines (default 20).
        stream: where to write (default ``sys.stderr``).
    """

    def __init__(self, total: int, desc: str, *, unit: str = "text", enabled: bool = True, initial: int = 0,
                 every: float = 20.0, stream: Optional[TextIO] = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total, self.desc, self.unit, self.every = total, desc, unit, every
        self.enabled = enabled
        self.interactive = enabled and self.stream.isatty()
        self.done = self._initial = initial
        self._start = self._last = time.perf_counter()
        self._bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, disable=not self.interactive,
                         file=self.stream, dynamic_ncols=True, leave=False)
        if self.enabled and not self.interactive:
            resumed = f" ({initial} done before, resuming)" if initial else ""
            self._line(f"{total} {unit}s{resumed}")

    def _line(self, text: str) -> None:
        print(f"{self.desc}: {text}", file=self.stream, flush=True)

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.interactive:
            self._bar.update(n)
            return
        now = time.perf_counter()
        if now - self._last >= self.every and self.done < self.total:
            self._last = now
            rate = (self.done - self._initial) / max(now - self._start, 1e-9)
            eta = _duration((self.total - self.done) / rate) if rate > 0 else "?"
            self._line(f"{self.done}/{self.total} {self.unit}s ({100 * self.done / max(self.total, 1):.0f}%), "
                       f"{rate:.1f} {self.unit}s/s, ETA {eta}")

    def close(self) -> None:
        self._bar.close()
        if self.enabled and not self.interactive:
            seconds = time.perf_counter() - self._start
            new = self.done - self._initial
            self._line(f"{self.done}/{self.total} {self.unit}s done in {_duration(seconds)} "
                       f"({new / max(seconds, 1e-9):.1f} {self.unit}s/s)")

    def __enter__(self) -> "CountProgress":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:  # interrupted: no "done" line
            self._bar.close()
