"""The journey-package profile's per-resource requirements, generated from this project's descriptor.

The profile (profile/journey-package-profile-<version>.json) has two parts: hand-written
definitions (what a resource, a field, `roles`, `admits` … must look like) and, for each of this
package's resources, the fields a journey package must have first and in order, with their types
and the custom keys the tools read. The second part is rendered here from datapackage.json, so a
model change updates the profile with `returnee-journeys docs`; a test checks it is current.
"""
from __future__ import annotations

import json

from ..model.descriptor import EDTF_TYPE, Descriptor
from ..model.paths import PROFILE

# custom keys of a field the tools read, and the profile definition each must meet
CUSTOM_KEYS = {"roles": "roles", "home_country": "homeCountry", "days": "days", "admits": "admits",
               "labels": "leeLabels"}


def _field(resource: str, field: dict) -> dict:
    name = field["name"]
    properties = {"type": {"const": field["type"]}}
    required = ["name", "type"]
    said = [f"type {field['type']}"]
    if "enum" in field.get("constraints", {}):
        properties["constraints"] = {"required": ["enum"], "properties": {"enum": {
            "type": "array", "minItems": 1, "items": {"type": "string"}}}}
        required.append("constraints")
        said.append("coded (`constraints.enum`)")
    if field.get("rdfType") == EDTF_TYPE:
        properties["rdfType"] = {"const": EDTF_TYPE}
        required.append("rdfType")
        said.append("EDTF (rdfType)")
    if field.get("quote") is True:
        properties["quote"] = {"const": True}
        required.append("quote")
        said.append("a quote (`quote: true`)")
    for key, definition in CUSTOM_KEYS.items():
        if key in field:
            properties[key] = {"$ref": f"#/$defs/{definition}"}
            required.append(key)
            said.append(f"`{key}`")
    properties["name"] = {"const": name}
    return {"description": f"{resource}.{name}: {', '.join(said)}", "properties": properties, "required": required}


def resource_requirements(descriptor: Descriptor) -> tuple[list[dict], list[dict]]:
    """(the resources a package must have, what each of them must hold), in descriptor order."""
    present, shapes = [], []
    for resource in descriptor.resources:
        name = resource["name"]
        is_it = {"properties": {"name": {"const": name}}, "required": ["name"]}
        present.append({"description": f"the package must have the resource `{name}`", "contains": is_it})
        fields = resource["schema"]["fields"]
        shapes.append({"if": is_it, "then": {
            "description": f"the resource `{name}`",
            "properties": {
                "path": {"const": resource["path"]},
                "schema": {"properties": {
                    "primaryKey": {"const": descriptor.primary_key(name)},
                    "fields": {"description": f"the fields of `{name}`, first and in this order (more may follow)",
                               "minItems": len(fields),
                               "prefixItems": [_field(name, f) for f in fields]}}}}}})
    return present, shapes


def render(descriptor: Descriptor, profile: dict) -> dict:
    """The profile with its per-resource part rendered from the descriptor."""
    present, shapes = resource_requirements(descriptor)
    out = json.loads(json.dumps(profile))
    out["properties"]["resources"]["allOf"] = present
    out["properties"]["resources"]["items"]["allOf"] = out["properties"]["resources"]["items"]["allOf"][:1] + shapes
    return out


def path_for(descriptor: Descriptor):
    return PROFILE / descriptor.data["journeyProfile"]


def current(descriptor: Descriptor) -> tuple[str, str]:
    """(the committed profile's text, the text it should have)."""
    path = path_for(descriptor)
    text = path.read_text(encoding="utf-8")
    rendered = json.dumps(render(descriptor, json.loads(text)), indent=1, ensure_ascii=False) + "\n"
    return text, rendered
