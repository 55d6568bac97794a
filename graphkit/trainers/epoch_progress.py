"""What a training run shows while it runs: bars on a terminal, one line per epoch in a log."""

from __future__ import annotations

import sys
import time
from typing import Any, Iterable, Iterator, Optional, TextIO

from tqdm.auto import tqdm

from graphkit.progress import LOG_EVERY_SECONDS, format_duration


class EpochProgress:
    """Progress of one seed/split fit, on ``stream`` (default stderr).

    On a terminal: an epoch bar with the last loss and validation metric, and inside it a
    per-batch bar with batches/s, so a long epoch shows it is moving. Elsewhere (nohup,
    Slurm, CI logs, where carriage-return bars become one huge line or nothing): one plain
    line per epoch with its metrics, and inside a long epoch a line every ``every`` seconds
    with its batch count, rate and ETA, so the log shows the run is alive.

    Args:
        enabled: False shows nothing (``--quiet``, non-zero ranks).
        desc: prefix of every bar and line, e.g. ``seed 0 split 0``.
        start_epoch: first epoch to run (after a resume).
        epochs: total epochs.
        stream: where to write (default ``sys.stderr``).
        every: seconds between the in-epoch lines in a log (default 20).
    """

    def __init__(self, *, enabled: bool, desc: str, start_epoch: int, epochs: int,
                 stream: Optional[TextIO] = None, every: float = LOG_EVERY_SECONDS) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.interactive = enabled and self.stream.isatty()
        self.desc, self.epochs, self.every = desc, epochs, every
        self._bar = tqdm(range(start_epoch, epochs), initial=start_epoch, total=epochs, desc=desc,
                         disable=not self.interactive, leave=False, file=self.stream, dynamic_ncols=True)
        self._epoch_start = time.perf_counter()
        self._batches = 0

    def __iter__(self) -> Iterator[int]:
        for epoch in self._bar:
            self._epoch_start, self._batches = time.perf_counter(), 0
            yield epoch

    def batches(self, batches: Iterable[Any], epoch: int) -> Iterator[Any]:
        """Yields ``batches``, counting them (and drawing the per-batch bar on a terminal)."""
        total = len(batches) if hasattr(batches, "__len__") else None
        inner = tqdm(batches, total=total, desc=f"epoch {epoch + 1}", unit="batch", leave=False,
                     disable=not self.interactive, file=self.stream, dynamic_ncols=True, position=1)
        lines = self.enabled and not self.interactive
        last = time.perf_counter()
        with inner:
            for batch in inner:
                self._batches += 1
                yield batch
                now = time.perf_counter()
                if lines and now - last >= self.every and (total is None or self._batches < total):
                    last = now
                    rate = self._batches / max(now - self._epoch_start, 1e-9)
                    count = f"{self._batches}/{total} batches ({100 * self._batches / total:.0f}%)" if total \
                        else f"{self._batches} batches"
                    eta = f", ETA {format_duration((total - self._batches) / rate)}" if total else ""
                    print(f"{self.desc} epoch {epoch + 1}/{self.epochs}: {count}, {rate:.1f} batches/s{eta}",
                          file=self.stream, flush=True)

    def end_epoch(self, row: dict[str, Any], monitor: Optional[str] = None) -> None:
        """Shows the epoch's metrics row (``train_loss``, ``val_*``...)."""
        if not self.enabled:
            return
        val = row.get(f"val_{monitor}") if monitor else None
        if self.interactive:
            postfix = {"loss": f"{row['train_loss']:.4f}"}
            if val is not None:
                postfix["val"] = f"{val:.4f}"
            self._bar.set_postfix(postfix)
            return
        seconds = time.perf_counter() - self._epoch_start
        metrics = " ".join(f"{k} {v:.4g}" for k, v in row.items()
                           if k not in ("seed", "split", "epoch", "seconds") and isinstance(v, (int, float)))
        print(f"{self.desc} epoch {row['epoch'] + 1}/{self.epochs}: {metrics} "
              f"({seconds:.1f}s, {self._batches / max(seconds, 1e-9):.1f} batches/s)", file=self.stream, flush=True)

    def close(self) -> None:
        self._bar.close()
