"""Linking the graph to Wikidata: `otsgraph link`, its checks and exports (see docs/wikidata.md).

Modules: client (transports, politeness, cache), search (wbsearchentities, wbgetentities),
typecheck (type rules, checked on the Query Service), scoring (the 0-100 score), reconcile
(decisions and the links file), check (our facts against Wikidata's), quickstatements (the export),
local (our side of the comparison), command (the CLI flags and run).
"""
