import os
import signal
import socket
import subprocess
import sys

import pytest

from graphkit.errors import TrainingError
from graphkit.trainers.run_lock import RunLock

_HOLD = """
import sys, time
from graphkit.trainers.run_lock import RunLock
RunLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(60)
"""


def hold_lock_in_subprocess(run_dir):
    """A separate process holding ``run_dir``'s lock (returns once it is held)."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(run_dir)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_run_lock_second_holder_gets_error_naming_pid_and_host(tmp_path):
    proc = hold_lock_in_subprocess(tmp_path)
    try:
        with pytest.raises(TrainingError, match=rf"in use by pid {proc.pid} on host {socket.gethostname()}"):
            RunLock(tmp_path).acquire()
    finally:
        proc.kill()
        proc.wait()


def test_run_lock_of_killed_process_is_free(tmp_path):
    proc = hold_lock_in_subprocess(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (tmp_path / ".lock").is_file()  # the file stays; the flock died with its process
    with RunLock(tmp_path):
        assert (tmp_path / ".lock").read_text().split() == [str(os.getpid()), socket.gethostname()]


def test_run_lock_release_lets_the_next_run_in(tmp_path):
    first = RunLock(tmp_path).acquire()
    with pytest.raises(TrainingError):
        RunLock(tmp_path).acquire()
    first.release()
    RunLock(tmp_path).acquire().release()
