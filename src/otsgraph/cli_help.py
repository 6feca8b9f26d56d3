"""What `otsgraph --help` and each subcommand's help say: enough to use the tool without the README.

One place for the words, so that cli.py keeps to arguments and exit codes.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass

TOP_DESCRIPTION = """\
Build, query, check and serve the Organization of Turkic States knowledge graph: every fact of
a source article as RDF with its quote, an OWL ontology, SHACL shapes and OWL 2 RL inferences."""

TOP_EPILOG = """\
A first session:
  otsgraph build                       load, validate and reason; write build/ (the store and files)
  otsgraph serve                       the SPARQL endpoint and pages on http://127.0.0.1:8000/
  otsgraph query 'SELECT ?s WHERE { ?s a ots:Summit }'
  otsgraph quote 'words of the article' > claim.trig   then fill in the fact, and:
  otsgraph validate claim.trig && otsgraph add claim.trig

Inputs (ontology/, data/, shapes/, examples/) come from --root, else $OTSGRAPH_HOME, else this
checkout, else the copy inside the package; the store and files go in its build/ (for the package's
copy, ./otsgraph-build; docs/install.md). Exit codes: 0 done; 1 the data does not conform
(nothing written); 2 an input, syntax or usage error; 3 a remote service unreachable (Wikidata for
`link`, the store for `publish`).
`otsgraph COMMAND --help` tells more."""


@dataclass(frozen=True)
class CommandHelp:
    """One subcommand's one-line summary (in the command list), its description and examples."""

    summary: str
    description: str
    examples: tuple[str, ...] = ()

    def parser_options(self) -> dict:
        epilog = "examples:\n" + "\n".join(f"  {e}" for e in self.examples) if self.examples else None
        return {
            "help": self.summary,
            "description": textwrap.fill(self.description, 96),
            "epilog": epilog,
            "formatter_class": argparse.RawDescriptionHelpFormatter,
        }


COMMANDS: dict[str, CommandHelp] = {
    "build": CommandHelp(
        "load, validate, reason; write build/ and print a summary",
        "Read the ontology, data and shapes; reason (OWL 2 RL); check the shapes; write the on-disk "
        "store (build/store, see --root) and the release files (N-Quads, TriG, the ontology as Turtle and "
        "JSON-LD), and print counts, every shape warning and any violation. Additions made with "
        "`add` or over HTTP are kept; only `reset` drops them. Exit 1 when a shape is violated or "
        "the data is inconsistent.",
        ("otsgraph build", "otsgraph build --no-write      # check only"),
    ),
    "serve": CommandHelp(
        "serve the graph: SPARQL endpoint and pages (main job)",
        "Serve the built graph: the SPARQL 1.1 endpoint (/sparql), the Graph Store (/rdf-graphs), "
        "pages per entity, the query page (/), /validate and /reconcile. Writes need a token "
        "(--update-token or $OTSGRAPH_UPDATE_TOKEN). Queries run in isolated worker processes "
        "with a deadline and a memory cap (docs/server.md). With --backend URL, serve a SPARQL 1.1 "
        "store that `publish` filled: queries run there, accepted writes are written there, and "
        "several such fronts can serve one store (docs/deploy.md); exit 3 when it cannot be reached.",
        (
            "otsgraph serve                          # http://127.0.0.1:8000/",
            "otsgraph serve --port 8080 --query-timeout 10",
            "OTSGRAPH_UPDATE_TOKEN='alice:s3cret' otsgraph serve   # accept writes",
            "otsgraph serve --empty                  # a plain empty SPARQL store",
            "otsgraph serve --backend http://127.0.0.1:7878/query   # in front of oxigraph serve",
        ),
    ),
    "link": CommandHelp(
        "link entities to Wikidata; --check compares facts with Wikidata's",
        "Find Wikidata items for the graph's entities (search, then type and label scoring), write "
        "the links with their evidence, or compare the linked items' facts with ours. Talks to "
        "Wikidata's public API (docs/wikidata.md). Exit 3, nothing written, when Wikidata cannot be "
        "reached, answers with an error, or (offline) a recording is missing.",
        ("otsgraph link --check",),
    ),
    "publish": CommandHelp(
        "push the built graph to a SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, oxigraph serve)",
        "Send every shipped named graph (ontology, asserted, background, provenance, links, labels, "
        "inferred, each claim) to the store whose query endpoint is URL, under staging names; then "
        "switch to them in requests of bounded size (journaled: a switch cut in the middle is finished "
        "by the next publish; the fronts answer from their copies meanwhile), drop the graphs the "
        "previous release had and this one has not, record the release (VoID, graph:release), and "
        "read every graph back to compare "
        "counts and checksums. Other graphs in the store (graph:additions, graph:audit) are kept. "
        "Blank nodes are skolemised. Credentials come from the environment: OTSGRAPH_BACKEND_TOKEN, "
        "or OTSGRAPH_BACKEND_USER and OTSGRAPH_BACKEND_PASSWORD. Exit 1 when the store does not hold "
        "what was sent, 3 when it cannot be reached, refuses, or the fronts' lock cannot be held "
        "(docs/deploy.md).",
        (
            "otsgraph publish --to http://127.0.0.1:7878/query",
            "otsgraph publish --to http://127.0.0.1:8890/sparql",
        ),
    ),
    "query": CommandHelp(
        "run SPARQL (text or a .rq file) on the built graph",
        "Run a SPARQL query on the built store. The common prefixes (ots:, res:, rdfs:, skos:, "
        "schema:, org:, …) are predeclared; a PREFIX of your own overrides one. The default graph "
        "is the served union (asserted, background, provenance, additions and inferences); "
        "--asserted-only leaves the inferences out. Syntax errors point at your line and column.",
        (
            "otsgraph query 'SELECT ?name WHERE { res:kazakhstan rdfs:label ?name }'",
            "otsgraph query examples/member-states.rq --format csv",
            "otsgraph query 'DESCRIBE res:astana' --format turtle",
            "otsgraph query --store /srv/otsgraph/store 'ASK { ?s a ots:Summit }'",
        ),
    ),
    "stats": CommandHelp(
        "summarise the built graph",
        "Triples per graph, claims, how many asserted facts carry a quote of the article (the "
        "others are background facts with another source, or the project's own curation), and "
        "entities per class.",
        ("otsgraph stats",),
    ),
    "qc": CommandHelp(
        "run the quality checks (exit 1 on ERROR rows)",
        "Run the quality checks beyond the shapes (src/otsgraph/queries/qc/: undescribed claims, "
        "missing quotes, labels missing, duplicated or badly spaced, untagged literals, undeclared "
        "entities and terms, missing definitions) and list every finding by severity. Exit 1 when "
        "any is an ERROR.",
        ("otsgraph qc", "otsgraph qc | grep ^ERROR"),
    ),
    "coverage": CommandHelp(
        "which sentences of the article no fact quotes",
        "List the article's sentences with how many facts quote each: a map of what is left to "
        "model. Needs the article (../shared/source beside the checkout, or $OTSGRAPH_ARTICLE).",
        ("otsgraph coverage --uncovered",),
    ),
    "quote": CommandHelp(
        "find a quote in the article; print a claim skeleton with its offsets",
        "Find words of the source article (line breaks and spaces do not matter) and print a TriG "
        "skeleton of a claim quoting them: the quote with its language tag, its offsets in the "
        "article's normalised text and the bracket reference. Fill in the fact the quote "
        "supports, then validate and add it (docs/writes.md). Needs the article "
        "(../shared/source beside the checkout, or $OTSGRAPH_ARTICLE).",
        (
            "otsgraph quote 'Екі елдің тарихи байланыстары' > claim.trig",
            "otsgraph quote --offsets 'Екі елдің тарихи байланыстары'",
            "otsgraph quote --claim my-claim --occurrence 2 'Қазақстан мен Түркия арасындағы'",
        ),
    ),
    "docs": CommandHelp(
        "write the ontology's HTML documentation",
        "Write one HTML page documenting every class and property of the ontology with its labels "
        "and definition (the served /ontology page shows the same).",
        ("otsgraph docs -o ontology.html",),
    ),
    "validate": CommandHelp(
        "check RDF files against the graph (writes nothing)",
        "Check RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) as one submission "
        "against the graph they would join: the shapes, reasoning's inconsistencies, provenance, "
        "unknown terms and entities, literals. Writes nothing. Exit 0 when it conforms, 1 when "
        "not, 2 when a file cannot be read (with file:line:column).",
        (
            "otsgraph validate claim.trig",
            "otsgraph validate new.trig --format json",
            "otsgraph validate a.ttl b.trig --format turtle   # a SHACL report",
        ),
    ),
    "add": CommandHelp(
        "validate RDF files, then add them to the store atomically",
        "Validate RDF files as `validate` does and, when they conform, add them to the store in "
        "one transaction with a record in the change log (who, when, what); nothing is written "
        "when they do not.",
        (
            "otsgraph add claim.trig",
            "otsgraph add claim.trig --as alice",
            "otsgraph add --reset --yes claim.trig   # drop every earlier addition first",
        ),
    ),
    "log": CommandHelp(
        "list the accepted changes (when, who, what)",
        "List the accepted changes, oldest first, or one change's added and removed quads.",
        ("otsgraph log", "otsgraph log CHANGE-ID", "otsgraph log --json"),
    ),
    "revert": CommandHelp(
        "undo an accepted change by a new change",
        "Undo an accepted change by a new, logged change that removes what it added and restores "
        "what it removed (checked by the gate like any other).",
        ("otsgraph revert CHANGE-ID",),
    ),
    "export": CommandHelp(
        "write the accepted additions as a file",
        "Write the additions (claim graphs as named graphs) as TriG, N-Quads or Turtle, ready to be "
        "curated into data/.",
        ("otsgraph export --out additions.trig",),
    ),
    "reset": CommandHelp(
        "drop every addition and the change log (asks first)",
        "Drop every addition, its inferences and the change log; the shipped graphs stay. It "
        "cannot be undone, so it asks on a terminal, and elsewhere needs --yes.",
        ("otsgraph reset", "otsgraph reset --yes   # in a script"),
    ),
}
