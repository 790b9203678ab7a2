"""What keeps `quoteprov` quick to start (the timings are in benchmarks/startup.py, not here):
the command line's parser imports no library, and the pipeline leaves out of its load only
what gives the same parse (the tokenizer it builds is the one the model saved)."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# what `quoteprov --help` (the parser of every command) must not import: the heavy libraries and
# the modules of the commands themselves
HEAVY = ("spacy", "numpy", "jsonschema", "pyarrow", "datasets", "pandas", "jinja2", "lxml", "rdflib", "ray",
         "quoteprov.build_cmd", "quoteprov.validation", "quoteprov.versions", "quoteprov.pipeline",
         "quoteprov.attribution", "quoteprov.exports", "quoteprov.release", "quoteprov.features")


def test_the_parser_of_every_command_imports_no_library() -> None:
    code = ("import sys\nfrom quoteprov.cli import parser\nparser().format_help()\n"
            "print('\\n'.join(sorted(sys.modules)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    loaded = set(r.stdout.split())
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY or any(m.startswith(h + ".") for h in HEAVY)]


def test_the_parsers_defaults_are_the_commands_own() -> None:
    from quoteprov import build_cmd, cli, exports, features, release, validation, versions

    p = cli.parser()
    sub = next(a for a in p._actions if a.dest == "command").choices  # type: ignore[union-attr]
    assert sub["build"].get_default("dataset") == build_cmd.DEFAULT_DATASET
    assert sub["validate"].get_default("max_problems") == validation.MAX_PROBLEMS
    choices = {a.dest: a.choices for a in sub["export"]._actions}
    assert tuple(choices["format"]) == exports.FORMATS
    assert tuple({a.dest: a.choices for a in sub["diff"]._actions}["format"]) == versions.FORMATS
    assert tuple({a.dest: a.choices for a in sub["release"]._actions}["bump"]) == release.BUMPS
    assert tuple({a.dest: a.choices for a in sub["load"]._actions}["config"]) == features.CONFIGS


def test_the_tokenizer_is_the_one_the_model_saved() -> None:
    """`syntax.nlp` does not read the model's tokenizer (it builds spaCy's English defaults, as
    the model's config says): that is the same parse only while the two are the same bytes."""
    pytest.importorskip("spacy")
    import spacy
    import srsly

    from quoteprov.syntax import MODEL_PACKAGE

    package = Path(importlib.import_module(MODEL_PACKAGE).__file__ or "").parent
    model_dir = next(p.parent for p in package.glob("*/config.cfg"))
    config = spacy.util.load_config(model_dir / "config.cfg")
    assert config["nlp"]["lang"] == "en" and config["nlp"]["tokenizer"] == {"@tokenizers": "spacy.Tokenizer.v1"}
    saved = srsly.msgpack_loads((model_dir / "tokenizer").read_bytes())
    built = srsly.msgpack_loads(spacy.blank("en").tokenizer.to_bytes(exclude=["vocab"]))
    assert saved == built


def test_only_components_that_run_are_loaded() -> None:
    """The components left out are the lemmatizer and attribute ruler (not used) and those the
    model has switched off: every loaded component runs, and every used one is there."""
    pytest.importorskip("spacy")
    import spacy

    from quoteprov import syntax

    model = importlib.import_module(syntax.MODEL_PACKAGE)
    package = Path(model.__file__ or "").parent
    config = spacy.util.load_config(next(package.glob("*/config.cfg")))
    enabled = [c for c in config["nlp"]["pipeline"] if c not in config["nlp"]["disabled"]]
    nlp = syntax.nlp()
    assert nlp.component_names == nlp.pipe_names  # nothing loaded that does not run
    assert nlp.pipe_names == [c for c in enabled if c not in ("lemmatizer", "attribute_ruler")]
