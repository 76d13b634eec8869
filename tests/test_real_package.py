"""The real data package as delivered, checked once and whole. This is the ONLY test module that reads
the real package's rows (data/*.csv at the repository's root) or what `make` generates from them;
every other test runs on the frozen fixture (tests/fixtures) or on synthetic packages, so that new
or corrected data never breaks a test of behaviour. What is checked here is the package as a
whole: valid for frictionless and for our validator (quotes, hashes and ledger coverage included,
with the texts), its descriptor fully described, the reliability/ sample valid with its texts, and the committed generated files (README and
docs sections, .zenodo.json, figures) exactly what `make` generates from the real data now, and
no count written by hand in its prose that the real data does not bear out.
Never names real rows."""
from __future__ import annotations

import json
import re

import frictionless
import matplotlib.pyplot as plt
import pytest

from returnee_journeys import figures
from returnee_journeys.context import Context
from returnee_journeys.figures import routes, style
from returnee_journeys.model import citation as citation_module
from returnee_journeys.model import journeys, paths
from returnee_journeys.model import sentences
from returnee_journeys.publish import docs
from returnee_journeys.publish import metadata
from returnee_journeys.model import texts
from returnee_journeys.validation.validate import validate
from test_figures import inspect, outlines_cut

from conftest import load_clean

pytestmark = pytest.mark.xdist_group("real_package")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def tables(descriptor):
    return load_clean(descriptor)


@pytest.fixture(scope="module")
def sources_dir(tables):
    """The real source texts; skipped when absent, a failure when REQUIRE_SOURCES=1."""
    folder = paths.sources_dir()
    missing = texts.missing(folder, tables["sources"])
    if missing:
        message = f"source texts {missing} not in {folder} (set SOURCES_DIR)"
        if paths.sources_required():
            pytest.fail(message)
        pytest.skip(message)
    return folder


def test_frictionless_validates_the_package():
    report = frictionless.validate(str(paths.DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_real_package_is_valid_and_its_ledger_covers_every_sentence(descriptor, tables, sources_dir):
    """The one check of the real data: the validator, with the texts, finds nothing (quotes, hashes,
    ledger coverage included), and the ledger has one row for each sentence of each text."""
    report = validate(paths.DESCRIPTOR, sources_dir, require_sources=True)
    assert list(report.problems) == [] and report.texts_not_checked == []
    for source_id in tables["sources"]["source_id"]:
        text = texts.text_path(sources_dir, source_id).read_text(encoding="utf-8")
        ledger = tables["ledger"][tables["ledger"]["source_id"] == source_id]
        assert len(ledger) == len(sentences.split(text)) > 0, source_id


def test_descriptor_fields_are_fully_described(descriptor):
    key_names = {r["schema"]["primaryKey"][0] for r in descriptor.resources}
    for resource in descriptor.resources:
        schema = resource["schema"]
        assert schema.get("primaryKey"), resource["name"]
        assert resource["path"] == f"data/{resource['name']}.csv"
        keys = {c for fk in schema.get("foreignKeys", []) for c in fk["fields"]}
        for field in schema["fields"]:
            where = f"{resource['name']}.{field['name']}"
            for prop in ("type", "title", "description", "example"):
                assert field.get(prop) not in (None, ""), (where, prop)
            assert "required" in field.get("constraints", {}), where
            names_a_key = any(field["name"] == k or field["name"].endswith("_" + k) for k in key_names)
            if names_a_key and field["name"] not in schema["primaryKey"]:
                assert field["name"] in keys, f"{where} points elsewhere but has no foreignKey"
                assert "Foreign key to" in field["description"], where


def test_the_reliability_sample_is_a_valid_journey_package_with_its_quote_only_texts():
    """reliability/: the second package, checked once, whole, with the quote-only texts it ships."""
    folder = paths.ROOT / "reliability"
    report = validate(folder / "datapackage.json", folder / "sources", require_sources=True)
    assert list(report.problems) == [] and report.texts_not_checked == []
    assert frictionless.validate(str(folder / "datapackage.json")).valid


# --- the committed generated files are what `make` generates from the real data ------------------

@pytest.fixture(scope="module")
def generated():
    return docs.current(Context.open(paths.DESCRIPTOR))


def test_readme_docs_and_zenodo_generated_sections_are_current(generated):
    files = {path.name: (text, rendered) for path, text, rendered in generated}
    for name, (text, rendered) in files.items():
        assert text == rendered, f"{name} is stale: run `make docs`"
    assert {"README.md", "comparison.md", ".zenodo.json"} <= set(files)
    readme = files["README.md"][0]
    for block in ("tables", "data-dictionary", "codebook", "how-to-cite", "journeys-at-a-glance", "loading-recipes",
                  "schema-org"):
        assert f"<!-- BEGIN GENERATED: {block} -->" in readme
    for block in ("comparison-table", "comparison-columns"):
        assert f"<!-- BEGIN GENERATED: {block} -->" in files["comparison.md"][0]
    cff = citation_module.read(paths.ROOT / "CITATION.cff")
    assert json.loads(files[".zenodo.json"][0]) == metadata.zenodo(cff)


def test_the_project_prose_holds():
    """No count written by hand in the README or docs that the real data does not bear out."""
    assert docs.stale_prose(Context.open(paths.DESCRIPTOR)) == []


def test_readme_documents_every_field(descriptor):
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    for resource in descriptor.resources:
        assert f"### {resource['name']}" in readme
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` |" in readme


def test_readme_schema_org_describes_every_variable_and_names_the_release(descriptor):
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN GENERATED: schema-org -->.*?```json\n(.*?)```", readme, re.S)[1]
    in_readme = json.loads(block)
    fields = [f"{r['name']}.{f['name']}" for r in descriptor.resources for f in r["schema"]["fields"]]
    assert [v["name"] for v in in_readme["variableMeasured"]] == fields
    zip_name = f"{descriptor.data['name']}-{descriptor.data['version']}.zip"
    assert zip_name in {d["contentUrl"] for d in in_readme["distribution"]}


def test_figures_in_the_repository_are_what_the_tables_draw(tmp_path):
    """Drawn as `make figures` draws them, each figure is byte for byte the committed one, has no
    text over other text and nothing clipped, and the map holds every highlighted outline whole."""
    data = journeys.read(paths.DESCRIPTOR)
    palette = style.Palette.for_output(tmp_path).extended(data)
    written = [palette.save(tmp_path / style.PALETTE_FILE)]
    for name in sorted(figures.FIGURES):
        fig = figures.FIGURES[name].draw(data, palette)
        written += style.save(fig, name, tmp_path, close=False)  # first, as `make figures` does: then look
        drawn = inspect(fig)
        assert drawn.overlaps == [] and drawn.outside == [], name
        if name == "routes":
            assert outlines_cut(routes.prepare(data), fig.axes[0]) == []  # Argentina, the United States, Russia whole
        plt.close(fig)
    assert sorted(p.name for p in written) == sorted(p.name for p in paths.FIGURES.iterdir())
    stale = sorted(p.name for p in written if p.read_bytes() != (paths.FIGURES / p.name).read_bytes())
    assert stale == [], "stale figures: run make figures"
