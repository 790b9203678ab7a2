"""`quoteprov validate`: every problem of a contribution, located and explained; never a crash.

What is checked, per file of a dataset folder:

- every JSON Lines line is one JSON object (`jsonl.parse_line` explains the bad ones);
- every record against the JSON Schema (all errors of a record, each with its instance path);
- provenance against the source text: the quoted text, paragraph, selectors, footnote marker
  (recomputed from the source: it must be the first marker after the quotation in its
  paragraph) and every evidence span;
- integrity: unique ids that follow the stable-id rule, `nested_in` names an enclosing record,
  no two records on one span, records in order, speakers and recipients known, no confidence
  without its value, every correction applied to a record;
- sources: manifest entries and files match, paths stay inside the dataset.

Speed comes from a fast lane and a careful path. A line is decoded and type-checked in one
pass (msgspec, into Structs compiled from the JSON Schema), and one predicate, `clean` (with a
C twin in `_speedups.c`), says whether it has anything to report; a line it does not clear is
decoded again into dicts and every check runs with its message (orjson + jsonschema-rs if the
schema outgrows the compiler; the careful parser and `jsonschema` for a line that fails). Large
record files are cut into chunks of whole sources and checked in parallel, the in-order checks
(ids, nesting, order) included; the parent joins the seams. Memory is bounded by the chunk
size and the source texts, not by the file.

Where things are:

- `problems`: Problem, Report and the Sink that collects them;
- `messages`: the schema messages (one explainer per JSON Schema keyword) and the decoders;
- `context`: what records are checked against (sources, registries, entities, corrections);
- `record`: the checks of one record, each registered with the problem codes it reports;
- `lane`: the fast lane (`clean` and what it needs; its C twin is `_speedups.c`);
- `lines`: a batch of record lines, fast lane then careful path;
- `ordering`: ids, order, same spans and nesting over a whole file;
- `stream`, `parallel`: a records file in one pass, or in chunks of whole sources;
- `files`, `corrections`, `data`: the manifest and registries, corrections.jsonl, data/;
- `run`: `validate` itself. The command line is in `quoteprov.cli`.
"""
from __future__ import annotations

from ..jsonl import MAX_LINE
from .context import Context, SourceInfo, first_marker_after, source_info
from .corrections import check_applied, check_correction_refs, check_corrections
from .files import check_manifest, check_registry
from .lane import STRUCT_ERRORS, Lane, clean, id_key, lane, quotes_expected, struct_decoder
from .lines import ChunkResult, check_lines
from .messages import explain, fast_decoder, schema_problems, schema_type_name
from .parallel import check_records
from .problems import ERROR, MAX_PROBLEMS, WARNING, Problem, Report, Sink
from .record import RECORD_CHECKS, SOURCE_CHECKS, check_provenance
from .run import load_context, validate

__all__ = ["ERROR", "MAX_LINE", "MAX_PROBLEMS", "RECORD_CHECKS", "SOURCE_CHECKS", "STRUCT_ERRORS", "WARNING",
           "ChunkResult", "Context", "Lane", "Problem", "Report", "Sink", "SourceInfo", "check_applied",
           "check_correction_refs", "check_corrections", "check_lines", "check_manifest", "check_provenance",
           "check_records", "check_registry", "clean", "explain", "fast_decoder", "first_marker_after", "id_key",
           "lane", "load_context", "quotes_expected", "schema_problems", "schema_type_name", "source_info",
           "struct_decoder", "validate"]
