"""The few constants the command line's parser shows (defaults and choices), kept here so that
building the parser imports nothing else: `quoteprov --help` and the start of every command
stay quick. The modules that use them import them from here (one definition each)."""
from __future__ import annotations

from pathlib import Path

# The current folder's dataset/, for every command (build, validate, report, load, publish):
# a user's own repository, not the folder the package happens to be installed from.
DEFAULT_DATASET = Path("dataset")
DEFAULT_DATASET_PATH = "dataset"  # the dataset folder inside the repository (quoteprov diff, changelog)
MAX_PROBLEMS = 10000  # problems validate keeps per file; the rest are counted (memory stays bounded)
EXPORT_FORMATS = ("tei", "web-annotation", "prov", "prov-turtle", "prov-jsonld", "csv")  # quoteprov export
DIFF_FORMATS = ("text", "json", "markdown", "html")  # quoteprov diff
BUMPS = ("patch", "minor", "major")  # quoteprov release --bump
CONFIGS = ("quotations", "sources", "entities", "notes")  # the Hub dataset's configurations
