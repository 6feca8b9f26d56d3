"""What the pages should call the Wikidata terms of ots:State's restriction: their label in the store
when the ontology gives one, else their prefixed name. The tests spell out the sentences around them
(so the sentences are checked, while a label added to wdt:P31 later does not break them)."""

from __future__ import annotations

import pyoxigraph as ox

from otsgraph.core.namespaces import PREFIXES

P31 = "http://www.wikidata.org/prop/direct/P31"
SOVEREIGN_STATE = "http://www.wikidata.org/entity/Q3624078"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def name(store: ox.Store, iri: str, lang: str = "en") -> str:
    found = {
        q.object.language or "": q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(iri), RDFS_LABEL, None)
        if isinstance(q.object, ox.Literal)
    }
    for choice in (lang, "en", "kk", "ru", ""):
        if choice in found:
            return found[choice]
    if found:
        return next(iter(found.values()))
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def has_p31_sovereign_state(store: ox.Store, lang: str = "en") -> str:
    """The restriction's own words: 'has wdt:P31 = wd:Q3624078' in English."""
    p, v = name(store, P31, lang), name(store, SOVEREIGN_STATE, lang)
    return {"en": f"has {p} = {v}", "ru": f"имеет {p} = {v}", "kk": f"{p} мәні — {v}"}[lang]
