"""Looking things up: wbsearchentities (labels to candidate items) and wbgetentities (items' data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .client import WikidataClient

LANGUAGES = ("kk", "ru", "en")
WD_ENTITY = "http://www.wikidata.org/entity/"
BATCH = 50  # wbgetentities takes at most 50 ids a call


@dataclass(frozen=True)
class SearchHit:
    """One result of wbsearchentities."""

    qid: str
    label: str
    description: str
    match_type: str  # "label", "alias", …
    match_text: str
    match_language: str
    searched: str  # the text we searched for
    language: str  # the language we searched in


@dataclass
class Entity:
    """An item as wbgetentities returns it: labels, aliases and descriptions per language, raw claims."""

    qid: str
    labels: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def iri(self) -> str:
        return WD_ENTITY + self.qid

    def names(self, language: str) -> list[str]:
        """The label, then the aliases, in one language."""
        label = self.labels.get(language)
        return ([label] if label else []) + self.aliases.get(language, [])

    def statements(self, prop: str) -> list[dict[str, Any]]:
        """Statements of a property, deprecated ones left out."""
        return [s for s in self.claims.get(prop, []) if s.get("rank") != "deprecated"]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entity:
        return cls(
            qid=data["id"],
            labels={k: v["value"] for k, v in data.get("labels", {}).items()},
            aliases={k: [a["value"] for a in v] for k, v in data.get("aliases", {}).items()},
            descriptions={k: v["value"] for k, v in data.get("descriptions", {}).items()},
            claims=data.get("claims", {}),
        )


def search_entities(client: WikidataClient, text: str, language: str, limit: int = 7) -> list[SearchHit]:
    """Items whose label or alias matches `text` in `language` (wbsearchentities)."""
    answer = client.api(
        {
            "action": "wbsearchentities",
            "search": text,
            "language": language,
            "uselang": language,
            "type": "item",
            "limit": str(limit),
        }
    )
    hits = []
    for row in answer.get("search", []):
        match = row.get("match", {})
        hits.append(
            SearchHit(
                qid=row["id"],
                label=row.get("label", ""),
                description=row.get("description", ""),
                match_type=match.get("type", ""),
                match_text=match.get("text", ""),
                match_language=match.get("language", language),
                searched=text,
                language=language,
            )
        )
    return hits


def get_entities(
    client: WikidataClient,
    qids: Iterable[str],
    props: tuple[str, ...] = ("labels", "aliases", "descriptions", "claims"),
    languages: tuple[str, ...] = LANGUAGES,
) -> dict[str, Entity]:
    """{qid: Entity} for the ids (wbgetentities, 50 a call, ids sorted so requests repeat exactly).

    A redirected id is answered under the id it redirects to; it is returned under both.
    Missing ids are left out.
    """
    wanted = sorted(set(qids), key=lambda q: (len(q), q))
    out: dict[str, Entity] = {}
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        answer = client.api(
            {
                "action": "wbgetentities",
                "ids": "|".join(batch),
                "props": "|".join(props),
                "languages": "|".join(languages),
            }
        )
        for key, data in answer.get("entities", {}).items():
            if "missing" in data:
                continue
            entity = Entity.from_json(data)
            out[entity.qid] = entity
            out.setdefault(key, entity)  # a redirected id: its key is the id asked for
    return out
