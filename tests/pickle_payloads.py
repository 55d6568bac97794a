"""Pickles that run code when loaded: what a planted cache or checkpoint file would hold.
Tests save them where a user's file goes and assert that they never run."""

import os


def _mark_ran() -> int:
    RanPayload.ran = True
    return 0


class RanPayload:
    """Unpickling this sets ``RanPayload.ran``."""

    ran = False

    def __reduce__(self):
        return (_mark_ran, ())


class TouchPayload:
    """Unpickling this runs ``os.system("touch MARKER")``, visible across processes."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))
