"""Coded fields reach the tools with their labels: `load()` Categoricals, and what frictionless-r
reads (factors from `constraints.enum`), which the README's R line relabels from `categories`."""
from __future__ import annotations

import pandas as pd

import returnee_journeys


def coded(descriptor) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["name"], f["name"]): {c["value"]: c["label"] for c in f["categories"]}
            for r in descriptor.resources for f in r["schema"]["fields"] if "categories" in f}


def test_load_gives_coded_fields_as_categoricals_of_every_code_with_their_labels(fixture_package, fixture_descriptor):
    tables = returnee_journeys.load(fixture_package)
    plain = returnee_journeys.load(fixture_package, categories=False)
    shown = returnee_journeys.load(fixture_package, labels=True)
    fields = coded(fixture_descriptor)
    assert fields
    for (name, field), labels in fields.items():
        column = tables[name][field]
        assert isinstance(column.dtype, pd.CategoricalDtype), (name, field)
        assert list(column.cat.categories) == list(labels)
        assert tables[name].attrs["labels"][field] == labels
        assert column.astype("string").equals(plain[name][field]), (name, field)  # the same values
        assert list(shown[name][field].cat.categories) == list(labels.values())
        assert shown[name][field].astype("string").equals(plain[name][field].map(labels).astype("string"))
    for name, frame in plain.items():
        assert not any(isinstance(t, pd.CategoricalDtype) for t in frame.dtypes), name


def test_what_frictionless_r_reads_matches_the_labels_the_readme_applies(fixture_descriptor):
    """frictionless-r makes a factor from `constraints.enum` alone: every coded field must list the same
    codes there, in the same order, so the README's one line (factor(levels = values, labels = labels))
    keeps every value."""
    for resource in fixture_descriptor.resources:
        for field in resource["schema"]["fields"]:
            if "categories" in field:
                assert field.get("constraints", {}).get("enum") == [c["value"] for c in field["categories"]], \
                    (resource["name"], field["name"])
