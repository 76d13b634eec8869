"""Reading datapackage.json: the single source of truth for names, types and constraints."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

EDTF_TYPE = "http://id.loc.gov/datatypes/edtf/EDTF"


class UnreadableInput(Exception):
    """Input that cannot be read at all (missing file, broken JSON): exit code 2."""


@dataclass(frozen=True)
class Descriptor:
    path: Path
    data: dict

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def resources(self) -> list[dict]:
        return self.data.get("resources", [])

    def resource(self, name: str) -> dict:
        return next(r for r in self.resources if r["name"] == name)

    def fields(self, name: str) -> list[dict]:
        return self.resource(name)["schema"]["fields"]

    def field(self, resource: str, name: str) -> dict:
        return next(f for f in self.fields(resource) if f["name"] == name)

    def edtf_fields(self, name: str) -> list[str]:
        return [f["name"] for f in self.fields(name) if f.get("rdfType") == EDTF_TYPE]

    def foreign_keys(self, name: str) -> list[dict]:
        return self.resource(name)["schema"].get("foreignKeys", [])

    def stage_types(self, *, realised: bool | None = None, at_home: bool | None = None) -> list[str]:
        """Stage types by their `meaning` in the descriptor (realised stay? in the home country?)."""
        meaning = self.field("stages", "stage_type")["meaning"]
        return [t for t, m in meaning.items()
                if (realised is None or m["realised"] == realised) and (at_home is None or m["at_home"] == at_home)]

    @property
    def home_country(self) -> str:
        return self.field("stages", "stage_type")["home_country"]

    def csv_path(self, name: str) -> Path:
        return self.root / self.resource(name)["path"]


def read(path: Path) -> Descriptor:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableInput(f"{path}: cannot read the descriptor ({error})") from error
    if not isinstance(data, dict):
        raise UnreadableInput(f"{path}: the descriptor is not a JSON object")
    return Descriptor(path=path, data=data)


def allowed_values(field: dict) -> str:
    constraints = field.get("constraints", {})
    parts = []
    if "enum" in constraints:
        parts.append("one of " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"pattern `{constraints['pattern']}`")
    if "minimum" in constraints or "maximum" in constraints:
        parts.append(f"{constraints.get('minimum', '…')} to {constraints.get('maximum', '…')}")
    if "minLength" in constraints:
        parts.append(f"at least {constraints['minLength']} characters")
    if constraints.get("unique"):
        parts.append("unique")
    if field.get("rdfType") == EDTF_TYPE:
        parts.append("EDTF")
    return "; ".join(parts)
