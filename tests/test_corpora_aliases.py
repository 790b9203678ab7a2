"""The training harness's PDNC labels: a quotation whose speaker PDNC writes with an alias accepts
all of that character's names (a right "Mr. Wilcox" for a gold "Henry" is right)."""
from pathlib import Path

from training.corpora import character_aliases


def test_an_alias_stands_for_all_of_its_characters_names(tmp_path: Path) -> None:
    csv = tmp_path / "character_info.csv"
    csv.write_text(
        "Character ID,Main Name,Aliases,Gender,Category\n"
        "17,Mr. Wilcox,\"{'Henry', 'Mr. Wilcox', 'Henry Wilcox'}\",M,major\n"
        "8,Charles Wilcox,\"{'Charles Wilcox', 'Charles', 'Wilcox'}\",M,major\n"
        "9,Paul Wilcox,\"{'Paul', 'Wilcox '}\",M,minor\n", encoding="utf-8")
    names = character_aliases(csv)
    assert names["Henry"] == names["Mr. Wilcox"] == ("Henry", "Henry Wilcox", "Mr. Wilcox")
    assert "Mr. Wilcox" in names["Henry Wilcox"]
    # an alias two characters share ("Wilcox", the second written with a stray space) is no one's in particular
    assert "Wilcox" not in names
    assert names["Paul"] == ("Paul", "Paul Wilcox", "Wilcox")
