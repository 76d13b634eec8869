"""Citation metadata from one source, CITATION.cff, as the tools read it: cffconvert (in its own
environment, .venv/cffconvert: it pins jsonschema < 4), .zenodo.json, the schema.org Dataset and the
release's RO-Crate, checked by rocrate-validator at the recommended level, offline."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import built
from returnee_journeys.model import paths
from returnee_journeys.publish import metadata

pytestmark = pytest.mark.xdist_group("built")  # one worker builds tests/built.py

ROOT = paths.ROOT
CFFCONVERT = Path(sys.prefix) / "cffconvert" / "bin" / "cffconvert"
CONTEXT = ROOT / "tests" / "schemas" / "ro-crate-1.3-context.jsonld"
CONTEXT_URL = "https://w3id.org/ro/crate/1.3/context"
# "An Organization entity SHOULD have a ROR identifier ... if possible": the data set's authors are
# an informal group of contributors, which has none
NO_ROR = "ro-crate-1.2_89.0"


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_names_url_repository_identifiers_and_a_preferred_citation_of_a_data_set():
    cff = citation()
    assert cff["url"].startswith("https://") and cff["repository-code"].startswith("https://")
    assert {i["type"] for i in cff["identifiers"]} and all(i["value"] for i in cff["identifiers"])
    preferred = cff["preferred-citation"]
    assert preferred["type"] == "data"  # CFF 1.2.0's reference type for a data set
    for key in ("title", "version", "url", "repository-code", "license"):
        assert preferred[key] == cff[key], key
    assert preferred["authors"] == cff["authors"] and preferred["publisher"]["name"]


def cffconvert(*args: str) -> str:
    if not CFFCONVERT.exists():
        pytest.skip(f"{CFFCONVERT} is not installed (make setup installs it)")
    done = subprocess.run([str(CFFCONVERT), "-i", str(ROOT / "CITATION.cff"), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_cffconvert_validates_the_cff_and_its_bibtex_has_title_url_and_year():
    cff = citation()
    verdict = cffconvert("--validate")
    assert "valid" in verdict and "not" not in verdict
    bibtex = cffconvert("-f", "bibtex")
    assert f"title = {{{cff['title']}}}" in bibtex
    assert f"url = {{{cff['url']}}}" in bibtex
    assert f"year = {{{str(cff['date-released'])[:4]}}}" in bibtex
    # cffconvert 2.0.0 writes no version into BibTeX (its BibTeX has author, doi, month, title, url,
    # year only); its APA-like text and its Zenodo JSON carry the version
    assert f"(version {cff['version']})" in cffconvert("-f", "apalike")
    assert json.loads(cffconvert("-f", "zenodo"))["version"] == str(cff["version"])


def test_the_projects_own_bibtex_has_title_version_and_url():
    cff = citation()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    bibtex = readme.split("```bibtex", 1)[1].split("```", 1)[0]
    for line in (f"title = {{{cff['title']}}}", f"version = {{{cff['version']}}}", f"url = {{{cff['url']}}}"):
        assert line in bibtex


def test_zenodo_json_is_generated_from_the_cff():
    """What .zenodo.json is made of (that the committed one is current: test_real_package.py)."""
    cff = citation()
    zenodo = metadata.zenodo(cff)
    assert (zenodo["title"], zenodo["version"], zenodo["license"]) == (cff["title"], str(cff["version"]), cff["license"])
    assert zenodo["upload_type"] == "dataset" and zenodo["description"] == " ".join(cff["abstract"].split())
    assert [r["identifier"] for r in zenodo["related_identifiers"]] == [cff["repository-code"]]


def test_schema_org_dataset_takes_the_cff_and_the_tables_coverage():
    """The release of the synthetic package (tests/built.py), whose CITATION.cff is the project's."""
    cff = yaml.safe_load((built.release_package() / "CITATION.cff").read_text(encoding="utf-8"))
    document = json.loads((built.unzipped() / "dataset.jsonld").read_text(encoding="utf-8"))
    assert document["url"] == cff["url"]
    assert document["identifier"] == [i["value"] for i in cff["identifiers"]]
    assert document["publisher"]["name"] == cff["preferred-citation"]["publisher"]["name"]
    start, end = document["temporalCoverage"].split("/")
    assert len(start) == len(end) == 10 and start < end
    assert document["inLanguage"] == "en"
    assert document["spatialCoverage"] and all(p["@type"] == "Place" and p["name"] for p in document["spatialCoverage"])


def test_every_metadata_file_gives_the_keywords_of_the_cff():
    """.zenodo.json, the schema.org Dataset and the RO-Crate of the release of the synthetic package
    (whose CITATION.cff is the project's, its keywords not the descriptor's) name the same keywords."""
    from rocrate.rocrate import ROCrate

    cff = yaml.safe_load((built.release_package() / "CITATION.cff").read_text(encoding="utf-8"))
    document = json.loads((built.unzipped() / "dataset.jsonld").read_text(encoding="utf-8"))
    assert metadata.zenodo(cff)["keywords"] == document["keywords"] == cff["keywords"]
    assert ROCrate(built.unzipped()).root_dataset["keywords"] == cff["keywords"]


def test_a_citation_made_from_the_descriptor_carries_its_keywords(fixture_descriptor):
    """A package with no CITATION.cff: the release's CFF has the keywords its schema.org Dataset gives."""
    from returnee_journeys.model import citation as citation_module

    made = citation_module.from_descriptor(fixture_descriptor.data)
    assert made["keywords"] == fixture_descriptor.data["keywords"]
    assert metadata.keywords(made, fixture_descriptor.data) == made["keywords"]


def test_an_authors_orcid_reaches_every_metadata_file(fixture_descriptor, fixture_tables):
    """A team's CITATION.cff names a person with an ORCID: .zenodo.json carried it, the schema.org Dataset
    and the RO-Crate (whose guide asks for the ORCID as the person's @id) dropped it."""
    orcid = "https://orcid.org/0000-0002-1825-0097"
    cff = {"title": "T", "version": "0.1.0", "license": "CC-BY-4.0", "date-released": "2026-12-04",
           "authors": [{"family-names": "Ivanova", "given-names": "Anna", "orcid": orcid}, {"name": "A team"}]}
    assert metadata.zenodo(cff)["creators"][0]["orcid"] == orcid.rsplit("/", 1)[-1]
    person, team = metadata.schema_org(fixture_descriptor, cff, [], fixture_tables)["creator"]
    assert person["identifier"] == orcid and "identifier" not in team
    graph = {e["@id"]: e for e in json.loads(metadata.ro_crate(fixture_descriptor, cff, {}, fixture_tables))["@graph"]}
    assert graph["./"]["creator"][0] == {"@id": orcid} and graph[orcid]["name"] == "Anna Ivanova"


def test_coverage_follows_the_tables(fixture_tables):
    covered = metadata.coverage(fixture_tables)
    stages = fixture_tables["stages"]
    low = min(stages["start_lower"].min(), stages["end_lower"].min())
    assert covered.temporal.startswith(f"{low:%Y-%m-%d}/")
    used = set(stages["location_id"])
    locations = fixture_tables["locations"]
    assert [p["name"] for p in covered.places] == list(
        locations[locations["location_id"].isin(used)].sort_values("location_id")["name"])


@pytest.fixture
def offline_context(monkeypatch):
    """Every HTTP request of the process answered here: the RO-Crate context from the vendored copy,
    anything else 404 (no network is used)."""
    import requests.adapters
    import urllib3

    asked = []

    def send(self, request, **kwargs):
        asked.append(request.url)
        found = request.url.rstrip("/") == CONTEXT_URL
        raw = urllib3.HTTPResponse(body=io.BytesIO(CONTEXT.read_bytes() if found else b""), status=200 if found else 404,
                                   headers={"Content-Type": "application/ld+json"}, preload_content=False,
                                   request_url=request.url)
        return self.build_response(request, raw)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return asked


@pytest.fixture
def sparql_parsed_once(monkeypatch):
    """rdflib parses each SPARQL query text anew on every call: pyshacl sends the validator's three
    dozen queries 500 times, and parsing them (pyparsing) was nine tenths of this test's time. Here
    each text is parsed and translated once for the test, the prepared query then run as rdflib runs
    a string (a prepared query is made to be run many times: `prepareQuery`); every query is still
    evaluated on the crate each time it is asked."""
    from rdflib.plugins.sparql import processor

    prepared: dict = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared[key]
        return processor.evalQuery(self.graph, strOrQuery, initBindings, base)

    monkeypatch.setattr(processor.SPARQLProcessor, "query", query)
    return prepared


def test_the_release_ro_crate_passes_rocrate_validator_at_the_recommended_level(offline_context, sparql_parsed_once):
    from rocrate_validator import services
    from rocrate_validator.models import Severity, ValidationSettings

    # offline: no HTTP cache (every request reaches `offline_context`), no availability checks of
    # web addresses (the repository's address is a placeholder until it is published)
    result = services.validate(ValidationSettings(rocrate_uri=str(built.unzipped()), requirement_severity=Severity.RECOMMENDED,
                                                  skip_checks=[NO_ROR], skip_availability_check=True, no_cache=True))
    issues = [f"{i.check.identifier}: {i.message}" for i in result.get_issues()]
    assert result.passed() and not issues, issues
    assert CONTEXT_URL in offline_context
    assert sparql_parsed_once  # the SHACL checks ran through rdflib's SPARQL engine


def test_the_bibtex_of_a_title_with_latex_specials_typesets_it_literally():
    """A team's title such as "Returns & Departures: 100% {Back}" went into BibTeX as written: `&`, `%`
    and `#` stop LaTeX, an unmatched brace breaks the entry. They are escaped, as comparison.tex does."""
    from returnee_journeys.model import citation as citation_module

    made = citation_module.how_to_cite({"title": "Returns & Departures: 100% {Back #1", "version": "0.1.0",
                                        "date-released": "2026-12-04", "authors": [{"name": "R&D team"}]})
    bibtex = made.split("```bibtex", 1)[1].split("```", 1)[0]
    assert r"title = {Returns \& Departures: 100\% \{Back \#1}," in bibtex
    assert r"author = {{R\&D team}}," in bibtex
    assert "*Returns & Departures: 100% {Back #1*" in made  # the APA line is Markdown, as written
