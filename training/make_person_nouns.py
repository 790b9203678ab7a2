"""Write `quoteprov/person_nouns.txt`: the English nouns whose first (most frequent)
sense in WordNet 3.0 is a person (lexicographer file `noun.person`) or a group of people
(`noun.group`), one per line with its kind, and the irregular plurals of those nouns.

usage: python -m training.make_person_nouns [WORDNET_DICT_DIR]

WORDNET_DICT_DIR holds WordNet's `index.noun`, `data.noun` and `noun.exc` (Debian's
`wordnet-base` package puts them in /usr/share/wordnet; or https://wordnet.princeton.edu).
`validate` uses the list to tell a description of a person or a body ("hotel commissionaire",
"the delegates"), which the guide allows when the text never names them, from a common noun
that is no one ("mistakes", "stops"). WordNet 3.0 is Copyright 2006 Princeton University, under the
WordNet 3.0 license (free use, with this notice), a copy of which ships beside the list.
"""
from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "quoteprov" / "person_nouns.txt"
LEXFILES = {18: "person", 14: "group"}  # noun.person, noun.group (WordNet's lexnames)


def first_senses(folder: Path) -> dict[str, str]:
    lexfile: dict[int, int] = {}
    common: set[str] = set()  # words written in lower case in some synset (not only names: "Aalto")
    with open(folder / "data.noun", "rb") as f:
        for line in f:
            if not line.startswith(b"  "):  # the licence header lines start with two spaces
                p = line.decode("utf-8").split()
                lexfile[int(p[0])] = int(p[1])
                common.update(w for w in p[4:4 + 2 * int(p[3], 16):2] if w.islower())
    out: dict[str, str] = {}
    for line in (folder / "index.noun").read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        p = line.split()
        lemma, pointers = p[0], int(p[3])
        offsets = p[4 + pointers + 2:]  # after the pointer symbols, sense_cnt and tagsense_cnt
        kind = LEXFILES.get(lexfile[int(offsets[0])])
        if kind and lemma.replace("-", "").isalpha() and lemma in common:
            out[lemma] = kind
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "/usr/share/wordnet")
    if not (folder / "index.noun").exists():
        print(f"no WordNet in {folder}: give the folder of index.noun, data.noun, noun.exc", file=sys.stderr)
        return 2
    nouns = first_senses(folder)
    plurals = {}
    for line in (folder / "noun.exc").read_text(encoding="utf-8").splitlines():
        form, base = line.split()[:2]
        if base in nouns and form.isalpha() and form not in nouns:
            plurals[form] = base
    lines = [f"{w}\t{k}" for w, k in sorted(nouns.items())] + [f"{f}\t={b}" for f, b in sorted(plurals.items())]
    OUT.write_text("# nouns whose first WordNet 3.0 sense is a person or a group of people; "
                   "made by training/make_person_nouns.py\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(nouns)} nouns ({sum(k == 'person' for k in nouns.values())} person), "
          f"{len(plurals)} irregular plurals")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
