"""Progress of long work, the same for every command: a tqdm bar on a terminal, plain
periodic lines in a log file (nohup, Slurm, CI), where carriage-return bars become one huge
line or nothing."""

from __future__ import annotations

import sys
import time
from typing import Any, Iterable, Iterator, Optional, TextIO

from tqdm.auto import tqdm

# Seconds between two plain lines in a log: a stalled job shows within half a minute, a
# long one writes a few hundred lines an hour.
LOG_EVERY_SECONDS = 20.0


def format_duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``: how long, for progress lines."""
    seconds = int(round(max(0.0, seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _si(value: float) -> str:
    """``950``, ``12.3k``, ``4.5M``: a count with an SI prefix."""
    for prefix in ("", "k", "M", "G"):
        if abs(value) < 1000:
            return f"{value:.3g}{prefix}"
        value /= 1000
    return f"{value:.3g}T"


class Progress:
    """Counts ``total`` steps of long work and shows it on ``stream`` (default stderr).

    On a terminal: a tqdm bar. Elsewhere: one plain line when the work starts, then one at
    most every ``every`` seconds with the count, the rate and an ETA, and one when it ends
    (none when it is interrupted); no carriage returns::

        tag:cora node texts: 2708 texts
        tag:cora node texts: 448/2708 texts (17%), 19.7 texts/s, ETA 1m55s
        tag:cora node texts: 2708/2708 texts done in 2m06s (21.4 texts/s)

    Use as a context manager, or iterate over it when it wraps an iterable.

    Args:
        iterable: optional items to yield, counting one step each.
        total: number of steps (default ``len(iterable)`` where it has one).
        desc: what is counted, shown first on every line (e.g. ``text encoding``).
        unit: name of the steps, plural (default ``it``): ``texts``, ``fits``.
        unit_scale: show counts with SI prefixes (``12.3MB``; for bytes).
        enabled: False shows nothing (``--quiet``, short inputs).
        initial: steps already done (resumed work); the rate and ETA count only new ones.
        every: seconds between plain lines (default :data:`LOG_EVERY_SECONDS`).
        stream: where to write (default ``sys.stderr``).
        interactive: force the bar (True) or the plain lines (False); default: whether
            ``stream`` is a terminal.
    """

    def __init__(self, iterable: Optional[Iterable[Any]] = None, *, total: Optional[int] = None, desc: str = "",
                 unit: str = "it", unit_scale: bool = False, enabled: bool = True, every: float = LOG_EVERY_SECONDS,
                 stream: Optional[TextIO] = None, interactive: Optional[bool] = None, initial: int = 0) -> None:
        self.stream = sys.stderr if stream is None else stream
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.enabled, self.every = enabled, every
        self._count_text = _si if unit_scale else str
        self._unit = unit if unit_scale else f" {unit}"  # 12.3MB, 40 fits
        self.interactive = enabled and (self.stream.isatty() if interactive is None else interactive)
        self.count = self._initial = initial
        self._start = self._last = time.perf_counter()
        self._closed = False
        self._bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, unit_scale=unit_scale, file=self.stream,
                         dynamic_ncols=True, leave=False, disable=not self.interactive)
        if self.enabled and not self.interactive:
            resumed = f" ({self._count_text(initial)} done before, resuming)" if initial else ""
            self._line((f"{self._count_text(total)}{self._unit}" if total is not None else "starting") + resumed)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.close()
        else:  # interrupted or failed: no line saying it ended
            self._closed = True
            self._bar.close()

    def __iter__(self) -> Iterator[Any]:
        if self.iterable is None:
            raise TypeError("Progress was given no iterable to iterate over")
        with self:
            for item in self.iterable:
                yield item
                self.update()

    def set_description(self, desc: str) -> None:
        """Renames what is counted (e.g. the current train ratio and shuffle)."""
        self.desc = desc
        self._bar.set_description(desc)

    def update(self, n: int = 1) -> None:
        """Counts ``n`` more steps; in a log, writes a line when ``every`` seconds passed."""
        self.count += n
        self._bar.update(n)
        now = time.perf_counter()
        if (self.enabled and not self.interactive and now - self._last >= self.every
                and (self.total is None or self.count < self.total)):
            self._last = now
            self._line(self._status(now))

    def write(self, message: str) -> None:
        """Writes one line (above the bar on a terminal)."""
        if not self.enabled:
            return
        if self.interactive:
            self._bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        """Ends the bar; in a log, writes the count and the time taken."""
        if self._closed:
            return
        self._closed = True
        self._bar.close()
        if self.enabled and not self.interactive:
            elapsed = time.perf_counter() - self._start
            of = f"/{self._count_text(self.total)}" if self.total is not None else ""
            self._line(f"{self._count_text(self.count)}{of}{self._unit} done in {format_duration(elapsed)} "
                       f"({self._rate(elapsed)}{self._unit}/s)")

    def _rate(self, elapsed: float) -> str:
        rate = (self.count - self._initial) / max(elapsed, 1e-9)
        return _si(rate) if self._count_text is _si else f"{rate:.1f}"

    def _status(self, now: float) -> str:
        """``448/2708 texts (17%), 19.7 texts/s, ETA 1m55s``"""
        elapsed = now - self._start
        text = self._count_text(self.count)
        if self.total:
            text += f"/{self._count_text(self.total)}{self._unit} ({100 * self.count / self.total:.0f}%)"
        else:
            text += self._unit
        text += f", {self._rate(elapsed)}{self._unit}/s"
        rate = (self.count - self._initial) / max(elapsed, 1e-9)
        if self.total:
            text += f", ETA {format_duration((self.total - self.count) / rate) if rate > 0 else '?'}"
        return text

    def _line(self, status: str) -> None:
        prefix = f"{self.desc}: " if self.desc else ""
        print(f"{prefix}{status}", file=self.stream, flush=True)
