"""`quoteprov release`: one command for a dataset version: version, changelog, commit, tag.

A release moves the version everywhere it is written (`pyproject.toml`, `CITATION.cff`, the
package's `__version__`, and the dataset card and `datapackage.json`, which state it), writes
the CHANGELOG entry from `quoteprov diff` against the previous tag, commits that, and tags the
commit `vX.Y.Z`. Everything is checked before anything is written: a clean work tree, a new
version, a tag that does not exist yet. `publish` then tags the Hub commit with the same name.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .defaults import BUMPS
from .errors import QuoteprovError

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
# where the version is written, and how to find it there (the first match is replaced)
VERSION_FILES = (
    ("pyproject.toml", re.compile(r'(?m)^(version\s*=\s*")([^"]+)(")')),
    ("CITATION.cff", re.compile(r'(?m)^(version:\s*"?)([^"\s]+)("?\s*)$')),
    ("quoteprov/__init__.py", re.compile(r'(?m)^(__version__\s*=\s*")([^"]+)(")')),
)


@dataclass(frozen=True)
class ReleasePlan:
    """What `release` does (or, with dry_run, would do)."""

    repo: Path
    previous_tag: str | None
    old_version: str
    version: str
    tag: str
    files: tuple[str, ...]  # files changed, relative to the repository
    changelog_entry: str
    committed: bool = False

    def lines(self, dry_run: bool) -> list[str]:
        would = "would " if dry_run else ""
        out = [f"release {self.version} (was {self.old_version}; "
               f"{'previous tag ' + self.previous_tag if self.previous_tag else 'the first release'})"]
        out += [f"{would}update {f}" for f in self.files] or ["no file changes: the version is already set"]
        if self.files:
            out.append(f"{would}commit \"Release {self.version}\"")
        out.append(f"{would}tag {'that commit' if self.files else 'HEAD'} {self.tag}")
        out += ["CHANGELOG entry:", *self.changelog_entry.rstrip("\n").split("\n")]
        return out


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise QuoteprovError("git is not installed; a release is a git commit and tag") from None


def bump_version(version: str, part: str) -> str:
    """`version` with its `part` (patch, minor, major) raised and the lower parts reset."""
    m = _SEMVER.match(version)
    if not m:
        raise QuoteprovError(f"the current version {version!r} is not X.Y.Z; give --version")
    major, minor, patch = map(int, m.groups())
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise QuoteprovError(f"--bump: expected one of {', '.join(BUMPS)}, got {part!r}")


def current_version(repo: Path) -> str:
    """The version in `pyproject.toml` (else `CITATION.cff`) of the repository."""
    for name, pattern in VERSION_FILES:
        path = repo / name
        if path.is_file():
            m = pattern.search(path.read_text(encoding="utf-8"))
            if m:
                return m.group(2)
    raise QuoteprovError(f"{repo}: no version found in {', '.join(n for n, _ in VERSION_FILES)}")


def _key(v: str) -> tuple[int, ...]:
    m = _SEMVER.match(v)
    return tuple(map(int, m.groups())) if m else (-1,)


def _first_entry(version: str, date: str, repo: Path, dataset_path: str) -> str:
    """The CHANGELOG entry of a first release: what the dataset holds (there is nothing to diff)."""
    from .store import read_jsonl

    data = repo / dataset_path / "data"
    records = read_jsonl(data / "quotations.jsonl") if (data / "quotations.jsonl").is_file() else []
    sources = read_jsonl(data / "sources.jsonl") if (data / "sources.jsonl").is_file() else []
    return (f"## {version} ({date})\n\nThe first tagged version of the dataset: {len(records)} quotation "
            f"records from {len(sources)} source(s).\n")


def plan_release(version: str | None = None, bump: str | None = None, repo: str | Path = ".",
                 dataset_path: str = "dataset", date: str | None = None) -> tuple[ReleasePlan, dict[str, str]]:
    """Check everything and work out the release; returns the plan and the new text of each
    file to change (nothing is written)."""
    from datetime import date as _date

    from .versions import changelog_entry, diff, git_toplevel, update_changelog

    top = git_toplevel(repo)
    if top is None:
        raise QuoteprovError(f"{Path(repo).resolve()}: not a git repository; a release is a git commit and tag")
    if version and bump:
        raise QuoteprovError("give --version or --bump, not both")
    status = _git(top, "status", "--porcelain", "--untracked-files=no")
    if status.returncode != 0:
        raise QuoteprovError(f"{top}: git status failed: {status.stderr.strip()}")
    if status.stdout.strip():
        raise QuoteprovError(f"{top}: the work tree has uncommitted changes; commit them first (a release "
                             f"tags what is committed):\n{status.stdout.rstrip()}")
    described = _git(top, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*")
    previous = described.stdout.strip() if described.returncode == 0 else None
    old = current_version(top)
    if version is None and bump is None:
        if previous is not None:
            raise QuoteprovError(f"the last release is {previous}: give --version X.Y.Z or --bump "
                                 f"{'|'.join(BUMPS)}")
        version = old  # the first release tags the version the files already state
    elif bump is not None:
        version = bump_version(old, bump)
    assert version is not None
    if not _SEMVER.match(version):
        raise QuoteprovError(f"--version: expected X.Y.Z (three numbers), got {version!r}")
    tag = f"v{version}"
    if _git(top, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}").returncode == 0:
        raise QuoteprovError(f"tag {tag} exists already: a version is released once (raise the version); "
                             "nothing was changed")
    if previous is not None and _key(version) <= _key(previous.lstrip("v")):
        raise QuoteprovError(f"version {version} is not above the last release {previous}; nothing was changed")

    day = date or _date.today().isoformat()
    texts: dict[str, str] = {}
    for name, pattern in VERSION_FILES:
        path = top / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            new = pattern.sub(lambda m: m.group(1) + version + m.group(3), text, count=1)
            if new != text:
                texts[name] = new
    log = top / "CHANGELOG.md"
    old_log = log.read_text(encoding="utf-8") if log.is_file() else ""
    if previous is not None:
        entry = changelog_entry(diff(previous, None, top, dataset_path), version, day)
    elif re.search(rf"(?m)^## {re.escape(version)}\b", old_log):
        entry = ""  # a first release whose entry was written by hand: kept as it is
    else:
        entry = _first_entry(version, day, top, dataset_path)
    if entry:
        texts["CHANGELOG.md"] = update_changelog(old_log, entry)
    shown = entry or next(b for b in re.split(r"(?m)^(?=## )", old_log) if b.startswith(f"## {version}"))
    # the card and datapackage.json state the dataset version: rebuilt from the same data
    dataset = top / dataset_path
    if (dataset / "data" / "quotations.jsonl").is_file():
        from .card import CARD, DATAPACKAGE, hub_files

        for name, data in hub_files(dataset, version=version).items():
            if name in (CARD, DATAPACKAGE) and (not (dataset / name).is_file()
                                                or (dataset / name).read_bytes() != data):
                texts[f"{dataset_path}/{name}"] = data.decode("utf-8")
    plan = ReleasePlan(top, previous, old, version, tag, tuple(sorted(texts)), shown)
    return plan, texts


def release(version: str | None = None, bump: str | None = None, repo: str | Path = ".",
            dry_run: bool = False, dataset_path: str = "dataset", date: str | None = None) -> ReleasePlan:
    """Release a dataset version: set it in every file that states it, write the CHANGELOG
    entry, commit, and tag the commit `vX.Y.Z` (see the module docstring). With `dry_run`
    nothing is written. Returns the plan."""
    import shutil

    from .card import write_hub_files
    from .store import generation, write_text

    plan, texts = plan_release(version, bump, repo, dataset_path, date)
    if dry_run:
        return plan
    top = plan.repo
    card_files = {n for n in texts if n.startswith(f"{dataset_path}/")}
    for name, text in texts.items():
        if name not in card_files:
            write_text(top / name, text)
    if card_files:
        dataset = top / dataset_path
        with generation(dataset) as stage:  # card and datapackage.json move with data/, as in build
            shutil.copytree(dataset / "data", stage / "data")
            write_hub_files(stage, version=plan.version)
    if plan.files:
        for step in (("add", "--", *plan.files), ("commit", "-q", "-m", f"Release {plan.version}")):
            done = _git(top, *step)
            if done.returncode != 0:
                raise QuoteprovError(f"git {step[0]} failed: {(done.stderr or done.stdout).strip()}; "
                                     "the files are updated but not committed or tagged")
    done = _git(top, "tag", "-a", plan.tag, "-m", f"quoteprov dataset {plan.version}")
    if done.returncode != 0:
        raise QuoteprovError(f"git tag failed: {done.stderr.strip()}")
    return ReleasePlan(plan.repo, plan.previous_tag, plan.old_version, plan.version, plan.tag, plan.files,
                       plan.changelog_entry, committed=bool(plan.files))
