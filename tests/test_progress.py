import io

from graphkit.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_in_a_log_writes_plain_lines_with_counts_and_eta():
    log = io.StringIO()
    with Progress(total=4, desc="encoding", unit="text", stream=log, every=0.0) as bar:
        for _ in range(4):
            bar.update()
    text = log.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "encoding: starting, 4 text"
    assert lines[1].startswith("encoding: 1/4 text (25%)") and "ETA" in lines[1]
    assert lines[-1].startswith("encoding: 4/4 text in ")
    assert len(lines) == 6  # start, one per step (every=0), end


def test_progress_in_a_log_is_quiet_between_periods():
    log = io.StringIO()
    with Progress(total=1000, desc="pairs", stream=log, every=3600.0) as bar:
        bar.update(1000)
    assert len(log.getvalue().splitlines()) == 2  # start and end only


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
    assert list(Progress([1, 2, 3], desc="x", stream=log)) == [1, 2, 3]
    assert log.getvalue().splitlines()[-1].startswith("x: 3/3 it in ")


def test_progress_of_bytes_in_a_log_shows_si_prefixes():
    log = io.StringIO()
    with Progress(total=50_000_000, desc="downloading x.zip", unit="B", unit_scale=True, stream=log,
                  every=0.0) as bar:
        bar.update(12_300_000)
    lines = log.getvalue().splitlines()
    assert lines[0] == "downloading x.zip: starting, 50MB"
    assert lines[1].startswith("downloading x.zip: 12.3M/50MB (25%)")
    assert "\r" not in log.getvalue()
