// OWL 2 DL profile check with the OWL API (Debian's libowlapi-java): loads each file named on the
// command line, merges them into one ontology and prints every OWL 2 DL profile violation, and every
// triple the OWL API could not read as OWL (such a graph is no OWL 2 DL ontology either).
// Exit 0: in the profile; 1: violations or unread triples; 2: a file could not be read.
//
// Usage (see tests/test_ontology_tools.py, which compiles and runs it):
//   javac -cp "$CP" -d /tmp/pc tools/owl-profile/ProfileCheck.java
//   java -cp "/tmp/pc:$CP" ProfileCheck merged.ttl
// where $CP is /usr/share/java/owlapi-distribution.jar plus the jars of its Debian dependencies
// (tests/test_ontology_tools.py lists them: guava, caffeine, commons-io, commons-rdf-api, the rdf4j
// jars its parser registry loads, ...). Files are read as separate documents
// and their axioms unioned, so give the whole ontology as one file (the test merges ontology/*.ttl
// into one Turtle file first): a file read alone cannot see the declarations of the others.

import java.io.File;
import java.util.List;
import java.util.stream.Collectors;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.AddOntologyAnnotation;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLAnnotation;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class ProfileCheck {
    private ProfileCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ProfileCheck FILE...");
            System.exit(2);
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology merged = manager.createOntology(IRI.create("urn:otsgraph:profile-check"));
        long unread = 0;
        for (String name : args) {
            OWLOntology part;
            try {
                part = manager.loadOntologyFromOntologyDocument(new File(name));
            } catch (OWLOntologyCreationException e) {
                System.err.println(name + ": " + e.getMessage());
                System.exit(2);
                return;
            }
            // a parser that could not map every triple to an axiom keeps the rest in the format
            var format = manager.getOntologyFormat(part);
            if (format != null && format.getOntologyLoaderMetaData().isPresent()) {
                var meta = format.getOntologyLoaderMetaData().get();
                long unparsed = meta.getUnparsedTriples().count();
                if (unparsed > 0) {
                    unread += unparsed;
                    System.out.println(name + ": " + unparsed + " triple(s) not read as OWL:");
                    meta.getUnparsedTriples().forEach(t -> System.out.println("  " + t));
                }
            }
            manager.addAxioms(merged, part.axioms());
            for (OWLAnnotation annotation : part.annotations().collect(Collectors.toList())) {
                manager.applyChange(new AddOntologyAnnotation(merged, annotation));
            }
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(merged);
        List<OWLProfileViolation> violations = report.getViolations();
        for (OWLProfileViolation v : violations) {
            System.out.println(v.getClass().getSimpleName() + ": " + v);
        }
        System.out.println(violations.size() + " OWL 2 DL profile violation(s) in " + merged.getAxiomCount() + " axioms");
        if (unread > 0) {
            System.out.println(unread + " triple(s) not read as OWL");
        }
        System.exit(violations.isEmpty() && unread == 0 ? 0 : 1);
    }
}
