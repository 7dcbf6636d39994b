"""Reasoning over the TCap KG ontology and data: consistency, OWL 2 DL profile, OWL 2 RL closure.

Three separate checks, because each catches a different class of mistake:

* :func:`check_consistency` runs HermiT (through owlready2) to prove that the ontology, alone or with
  the shipped data, has a model: a disjointness, domain or range violation in the data shows up
  here as an inconsistency, and a contradictory class definition as an unsatisfiable class.
* :func:`check_owl2_dl_profile` runs the OWL API's OWL 2 DL profile checker (bundled in HermiT's
  jar), which HermiT itself does not do: it reports undeclared terms, illegal punning and reserved
  vocabulary used as individuals, i.e. data that a DL reasoner would silently misread.
* :func:`owl_rl_closure` computes the OWL 2 RL entailments with owlrl, for queries that want
  inferred types; it is a forward-chaining closure, fine for the shipped graph but slow (minutes)
  beyond ~100k triples.

Datatypes: the data keep ``xsd:date``, ``xsd:gYear``, ``xsd:gYearMonth`` and ``geo:wktLiteral``
literals, which lie outside the OWL 2 datatype map. HermiT refuses such literals outright, so the
consistency check runs it with unsupported datatypes ignored by default (those literals then
become opaque values). Their lexical forms are checked elsewhere (SHACL, and the parser), and
everything else (classes, object properties, ``xsd:string``/``decimal``/``integer`` values) is
still reasoned over.

Nothing here touches the network: ``owl:imports`` triples are dropped before owlready2 sees the
graph (owlready2 would otherwise fetch the imported IRIs), and every input is a local file or an
in-memory graph.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import owlready2
import owlrl
from owlready2.base import OwlReadyError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .errors import TcapError

log = logging.getLogger(__name__)

ONTOLOGY_IRI = "https://w3id.org/tcap-kg/ontology"

_HERMIT_JAR = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"

# A single-file Java program run with the JDK's source launcher against the OWL API that ships
# inside HermiT.jar, so the profile check needs no download and no build step.
_PROFILE_CHECKER_SOURCE = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class TcapDlProfileCheck {
  public static void main(String[] args) throws Exception {
    OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
    OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
    for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
      System.out.println("VIOLATION\\t" + v.getClass().getSimpleName() + "\\t"
          + v.toString().replace('\\n', ' '));
    }
  }
}
"""

_REFLEXIVE_PREDICATES = {
    OWL.sameAs,
    RDFS.subClassOf,
    OWL.equivalentClass,
    RDFS.subPropertyOf,
    OWL.equivalentProperty,
}
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDFS.Class, RDF.Property}


class ReasoningError(TcapError):
    """The reasoner could not run at all (no Java, unreadable input).

    Kept apart from an inconsistency so that a broken tool chain is never reported as a
    modelling error, nor the other way round.
    """


@dataclass(frozen=True)
class ConsistencyReport:
    """Outcome of a HermiT run.

    ``consistent`` is False when the ontology has no model at all; ``unsatisfiable_classes``
    lists classes that can have no members even though the whole is consistent (an empty class
    is a modelling error too, but HermiT reports it differently).
    """

    consistent: bool
    unsatisfiable_classes: tuple[str, ...]
    triples: int
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the graph is consistent and every class can have members."""
        return self.consistent and not self.unsatisfiable_classes


def shipped_sources(root: Path, *, include_data: bool = True) -> list[Path]:
    """List the ontology files and, optionally, the data files of a checkout, in a stable order.

    The ontology is split over several files (``ontology/*.ttl``); reasoning about only one of
    them would miss the declarations and concept schemes in the others.
    """
    paths = sorted((root / "ontology").glob("*.ttl"))
    if include_data:
        paths += sorted((root / "data").rglob("*.ttl"))
    return paths


def load_rdf(sources: Iterable[Path | Graph]) -> Graph:
    """Merge Turtle files and graphs into one rdflib graph.

    rdflib rather than pyoxigraph because owlready2 and owlrl both work on rdflib-compatible
    triples, and the inputs here are small.
    """
    merged = Graph()
    for source in sources:
        if isinstance(source, Graph):
            for triple in source:
                merged.add(triple)
        else:
            merged.parse(source, format="turtle")
    return merged


def _without_imports(graph: Graph) -> Graph:
    """Copy the graph minus ``owl:imports``, which owlready2 would resolve over the network."""
    copy = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    return copy


def check_consistency(
    sources: Iterable[Path | Graph], *, ignore_unsupported_datatypes: bool = True
) -> ConsistencyReport:
    """Run HermiT over the merged sources and report consistency and unsatisfiable classes.

    Each call uses a fresh owlready2 ``World`` so that runs never see each other's triples (the
    default world is process-global). owlready2 is not thread-safe: call this from one thread.

    Raises :class:`ReasoningError` if Java or HermiT fails for any reason other than an
    inconsistency.
    """
    graph = _without_imports(load_rdf(sources))
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="tcap-hermit-") as tmp:
        nt_path = Path(tmp) / "input.nt"
        graph.serialize(nt_path, format="nt", encoding="utf-8")
        started = time.perf_counter()
        try:
            with nt_path.open("rb") as handle:
                world.get_ontology(ONTOLOGY_IRI).load(fileobj=handle, format="ntriples")
            owlready2.sync_reasoner_hermit(
                world,
                infer_property_values=False,
                debug=0,
                ignore_unsupported_datatypes=ignore_unsupported_datatypes,
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            seconds = time.perf_counter() - started
            log.warning("HermiT: inconsistent (%d triples, %.1f s)", len(graph), seconds)
            world.close()
            return ConsistencyReport(False, (), len(graph), seconds)
        except (OwlReadyError, OSError, subprocess.SubprocessError) as exc:
            world.close()
            raise ReasoningError(f"HermiT could not run: {exc}") from exc
        seconds = time.perf_counter() - started
        unsatisfiable = tuple(
            sorted(cls.iri for cls in world.inconsistent_classes() if cls.iri != str(OWL.Nothing))
        )
    world.close()
    log.info(
        "HermiT: consistent, %d unsatisfiable classes (%d triples, %.1f s)",
        len(unsatisfiable),
        len(graph),
        seconds,
    )
    return ConsistencyReport(True, unsatisfiable, len(graph), seconds)


def check_owl2_dl_profile(sources: Iterable[Path | Graph], *, timeout: float = 120.0) -> list[str]:
    """Return the OWL 2 DL profile violations of the merged sources (empty list: within OWL 2 DL).

    Uses the OWL API bundled in HermiT's jar through the JDK's single-file source launcher, so it
    needs a JDK (not only a JRE); a missing ``java`` raises :class:`ReasoningError`.
    """
    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        raise ReasoningError("no java executable found for the OWL 2 DL profile check")
    graph = _without_imports(load_rdf(sources))
    with tempfile.TemporaryDirectory(prefix="tcap-dl-profile-") as tmp:
        source_path = Path(tmp) / "TcapDlProfileCheck.java"
        source_path.write_text(_PROFILE_CHECKER_SOURCE, encoding="utf-8")
        nt_path = Path(tmp) / "input.nt"
        graph.serialize(nt_path, format="nt", encoding="utf-8")
        try:
            completed = subprocess.run(
                [java, "-cp", str(_HERMIT_JAR), str(source_path), str(nt_path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ReasoningError(f"OWL 2 DL profile check could not run: {exc}") from exc
    if completed.returncode != 0:
        raise ReasoningError(f"OWL 2 DL profile check failed: {completed.stderr.strip()[-2000:]}")
    return [
        line.split("\t", 1)[1]
        for line in completed.stdout.splitlines()
        if line.startswith("VIOLATION\t")
    ]


def owl_rl_closure(
    graph: Graph, *, follow_same_as: bool = False, keep_trivial: bool = False
) -> Graph:
    """Return only the triples that the OWL 2 RL rules add to ``graph`` (the input is not changed).

    ``follow_same_as`` is off by default: the link set asserts ``owl:sameAs`` to Wikidata, and
    under OWL semantics every statement about a city would be copied onto its Wikidata IRI,
    which doubles the graph without telling a query anything new (the research notes advise
    keeping identity links out of the closure when in doubt). ``keep_trivial`` keeps the
    triples OWL 2 RL derives for every resource or term alike (``x owl:sameAs x``,
    ``C rdfs:subClassOf C``, ``x rdf:type owl:Thing`` and the like) and memberships of anonymous class expressions
    (the unions used as domains and ranges); they are dropped by default
    because they only add noise to query answers.
    """
    working = Graph()
    for triple in graph:
        if follow_same_as or triple[1] != OWL.sameAs:
            working.add(triple)
    asserted = set(working)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(working)
    inferred = Graph()
    for prefix, namespace in graph.namespaces():
        inferred.bind(prefix, namespace)
    for triple in working:
        if triple in asserted:
            continue
        subject, predicate, obj = triple
        if isinstance(subject, Literal) or not isinstance(predicate, URIRef):
            continue  # generalised RDF (owlrl types literals); not expressible as RDF triples
        if not keep_trivial and (
            (predicate in _REFLEXIVE_PREDICATES and subject == obj)
            or (predicate == RDF.type and isinstance(obj, URIRef) and obj in _TRIVIAL_TYPES)
            or (predicate == RDFS.subClassOf and obj == OWL.Thing)
            or (predicate == RDF.type and isinstance(obj, BNode))
        ):
            continue
        inferred.add(triple)
    return inferred
