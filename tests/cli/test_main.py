import subprocess
import sys

# `data list` and every `--help` must stay fast: none of these may load in them.
HEAVY = ("torch", "torch_geometric", "sklearn", "transformers", "scipy", "pandas", "rdkit", "numpy")

_PROBE = """
import contextlib, io, sys
from graphkit.cli.main import main
commands = [["data", "list"], ["--help"]] + [[*c, "--help"] for c in (
    ["train"], ["data"], ["data", "info"], ["data", "prepare"], ["plot"], ["embed"], ["embed", "fastrp"],
    ["embed", "deepwalk"], ["embed", "evaluate"], ["embed", "tune"], ["lp"], ["lp", "heuristics"],
    ["lp", "analyze"], ["eval"])]
for argv in commands:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code
    assert code == 0 and out.getvalue(), (argv, code)
print(",".join(sorted(m for m in {HEAVY} if m in sys.modules)))
"""


def test_data_list_and_every_help_import_no_heavy_library():
    probe = _PROBE.replace("{HEAVY}", repr(HEAVY))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
