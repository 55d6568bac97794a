import os
import threading
import time

import pytest

from graphkit.native_build import extension_name, wait_for_build_lock


def test_a_lock_left_by_an_interrupted_build_is_removed_with_a_warning(tmp_path):
    lock = tmp_path / "lock"
    lock.touch()
    old = time.time() - 3600
    os.utime(lock, (old, old))
    with pytest.warns(RuntimeWarning, match="interrupted"):
        wait_for_build_lock(tmp_path, stale_seconds=600)
    assert not lock.exists()


def test_a_live_build_lock_is_waited_for_and_left_to_its_owner(tmp_path, capsys):
    lock = tmp_path / "lock"
    lock.touch()
    released = []

    def owner():
        time.sleep(0.3)
        released.append(time.time())
        lock.unlink()

    thread = threading.Thread(target=owner)
    thread.start()
    wait_for_build_lock(tmp_path, stale_seconds=600, poll_seconds=0.05)
    returned = time.time()
    thread.join()
    assert released and returned >= released[0]
    assert "waiting for another process's kernel build" in capsys.readouterr().err


def test_a_lock_that_goes_stale_while_waiting_is_removed(tmp_path):
    lock = tmp_path / "lock"
    lock.touch()
    with pytest.warns(RuntimeWarning):
        wait_for_build_lock(tmp_path, stale_seconds=0.3, poll_seconds=0.05)
    assert not lock.exists()


def test_no_lock_returns_at_once(tmp_path):
    start = time.time()
    wait_for_build_lock(tmp_path, poll_seconds=5)
    assert time.time() - start < 1


def test_extension_name_changes_with_source_and_flags(tmp_path):
    src = tmp_path / "k.cpp"
    src.write_text("int f() { return 1; }")
    a = extension_name("gk", src, ["-O3"])
    assert a.startswith("gk_") and a == extension_name("gk", src, ["-O3"])
    assert extension_name("gk", src, ["-O2"]) != a
    src.write_text("int f() { return 2; }")
    assert extension_name("gk", src, ["-O3"]) != a


def test_a_first_build_is_announced_then_timed(tmp_path, monkeypatch, capsys):
    from torch.utils import cpp_extension

    from graphkit import native_build

    build_dir = tmp_path / "ext"
    build_dir.mkdir()
    monkeypatch.setattr(cpp_extension, "_get_build_directory", lambda name, verbose: str(build_dir))

    def compile_slowly(**kwargs):
        time.sleep(1.1)
        (build_dir / "ext.so").touch()
        return "module"

    monkeypatch.setattr(cpp_extension, "load", compile_slowly)
    src = tmp_path / "k.cpp"
    src.write_text("int f() { return 0; }\n")
    assert native_build.load_cpu_extension("ext", src, [], "test kernels") == "module"
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("graphkit: building the test kernels (once per machine;")
    assert err[1].startswith("graphkit: built the test kernels in 1 s")
    # built: a later load says nothing
    monkeypatch.setattr(cpp_extension, "load", lambda **kwargs: "module")
    native_build.load_cpu_extension("ext", src, [], "test kernels")
    assert capsys.readouterr().err == ""
