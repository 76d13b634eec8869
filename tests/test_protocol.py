"""The coding protocol and the descriptor agree: every code of every enumerated field is defined there."""
from __future__ import annotations

from returnee_journeys.model import paths

PROTOCOL = paths.ROOT / "docs" / "coding-protocol.md"


def test_every_code_of_the_descriptor_is_defined_in_the_protocol(descriptor):
    text = PROTOCOL.read_text(encoding="utf-8")
    missing = [f"{resource['name']}.{field['name']}: {code}"
               for resource in descriptor.resources for field in resource["schema"]["fields"]
               for code in field.get("constraints", {}).get("enum", []) if f"`{code}`" not in text]
    assert missing == [], "define these codes in docs/coding-protocol.md"


def test_the_readme_links_the_protocol():
    assert "(docs/coding-protocol.md)" in (paths.ROOT / "README.md").read_text(encoding="utf-8")
