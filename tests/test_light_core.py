"""validate, diff and changelog run without the heavy optional parts (spaCy, numpy, pyarrow,
datasets, pandas, Hugging Face, jinja2, the exporters, Ray), and a command whose part is
missing says which extra to install, with exit status 2 and no traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from quoteprov.build_cmd import DEFAULT_DATASET
from quoteprov.cli import EXTRA_OF

ROOT = Path(__file__).resolve().parent.parent
# a meta-path finder that refuses every optional module, as if it were not installed
BLOCK = f"""
import importlib.abc, sys
BLOCKED = {sorted(EXTRA_OF)!r}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Refuse())
from quoteprov.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_validate_needs_none_of_the_optional_parts():
    r = run("validate", str(DEFAULT_DATASET), "-j", "1")
    assert r.returncode == 0, r.stderr + r.stdout
    assert "valid:" in r.stdout and "Traceback" not in r.stderr


def test_diff_needs_none_of_the_optional_parts():
    r = run("diff", str(DEFAULT_DATASET), str(DEFAULT_DATASET), "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and r.stdout


@pytest.mark.parametrize("args,extra", [(("report", "--out", "{tmp}"), "report"),
                                        (("extract", "{src}"), "extract"),
                                        (("diff", "{ds}", "{ds}", "--format", "html", "--out", "{tmp}"), "report")])
def test_a_missing_part_names_its_extra(tmp_path, args, extra):
    src = tmp_path / "a.txt"
    src.write_text('He said, "Go."\n', encoding="utf-8")
    r = run(*(a.format(tmp=tmp_path / "out", src=src, ds=DEFAULT_DATASET) for a in args))
    assert r.returncode == 2, r.stderr
    assert f"pip install 'quoteprov[{extra}]'" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written
