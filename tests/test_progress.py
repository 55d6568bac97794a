import io

from graphkit.progress import Progress, format_duration


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_in_a_log_writes_plain_lines_with_counts_and_eta(monkeypatch):
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr("graphkit.progress.time.perf_counter", lambda: float(next(clock)))
    log = io.StringIO()
    with Progress(total=4, desc="encoding", unit="texts", stream=log, every=0.0) as bar:
        for _ in range(4):
            bar.update()
    text = log.getvalue()
    assert "\r" not in text
    assert text.splitlines() == [
        "encoding: 4 texts",
        "encoding: 1/4 texts (25%), 0.1 texts/s, ETA 30s",
        "encoding: 2/4 texts (50%), 0.1 texts/s, ETA 20s",
        "encoding: 3/4 texts (75%), 0.1 texts/s, ETA 10s",
        "encoding: 4/4 texts done in 50s (0.1 texts/s)",  # no periodic line at 4/4
    ]


def test_progress_in_a_log_is_quiet_between_periods():
    log = io.StringIO()
    with Progress(total=1000, desc="pairs", stream=log, every=3600.0) as bar:
        bar.update(1000)
    assert len(log.getvalue().splitlines()) == 2  # start and end only


def test_progress_resumed_counts_only_new_work_and_an_interruption_writes_no_end(monkeypatch):
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr("graphkit.progress.time.perf_counter", lambda: float(next(clock)))
    log = io.StringIO()
    try:
        with Progress(total=300, desc="x", unit="texts", stream=log, every=0.0, initial=100) as bar:
            bar.update(100)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert log.getvalue().splitlines() == ["x: 300 texts (100 done before, resuming)",
                                           "x: 200/300 texts (67%), 10.0 texts/s, ETA 10s"]


def test_progress_on_a_terminal_draws_a_carriage_return_bar():
    tty = _Terminal()
    with Progress(total=3, desc="x", stream=tty, every=0.0) as bar:
        for _ in range(3):
            bar.update()
    assert "\r" in tty.getvalue()


def test_progress_disabled_writes_nothing():
    log = io.StringIO()
    for _ in Progress(range(3), desc="x", stream=log, enabled=False):
        pass
    assert log.getvalue() == ""


def test_progress_iterates_and_counts_an_iterable():
    log = io.StringIO()
    assert list(Progress([1, 2, 3], desc="x", unit="items", stream=log)) == [1, 2, 3]
    assert log.getvalue().splitlines()[-1].startswith("x: 3/3 items done in ")


def test_progress_of_bytes_in_a_log_shows_si_prefixes():
    log = io.StringIO()
    with Progress(total=50_000_000, desc="downloading x.zip", unit="B", unit_scale=True, stream=log,
                  every=0.0) as bar:
        bar.update(12_300_000)
    lines = log.getvalue().splitlines()
    assert lines[0] == "downloading x.zip: 50MB"
    assert lines[1].startswith("downloading x.zip: 12.3M/50MB (25%)")
    assert "\r" not in log.getvalue()


def test_format_duration():
    assert [format_duration(s) for s in (4.4, 65, 3725)] == ["4s", "1m05s", "1h02m"]
