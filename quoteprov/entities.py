"""Entities: canonical names with aliases, from the records and the sources' registries."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entity:
    name: str
    aliases: tuple[str, ...]
    kind: str  # person | group | document | publication
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "kind": self.kind, "sources": list(self.sources)}


def build_entities(records: list[Any], registries: dict[str, list[dict[str, Any]]]) -> list[Entity]:
    """One entity per canonical speaker or recipient name used by the records, with the
    registry's aliases and kind (a name the registry lacks is a person by default... v0)."""
    reg = {}
    for sid, entries in registries.items():
        for e in entries:
            reg.setdefault(e["name"], {"aliases": set(), "kind": e.get("kind", "person"), "sources": set()})
            reg[e["name"]]["aliases"].update(e.get("aliases", []))
            reg[e["name"]]["sources"].add(sid)
    used: dict[str, set[str]] = {}
    for r in records:
        for name in (r.speaker, r.recipient):
            if name:
                used.setdefault(name, set()).add(r.source_id)
    out = []
    for name in sorted(set(used) | set(reg)):
        info = reg.get(name, {"aliases": set(), "kind": "person", "sources": set()})
        out.append(Entity(name, tuple(sorted(info["aliases"])), info["kind"],
                          tuple(sorted(info["sources"] | used.get(name, set())))))
    return out
