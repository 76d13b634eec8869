"""Reading datapackage.json: the single source of truth for names, types and constraints."""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

EDTF_TYPE = "http://id.loc.gov/datatypes/edtf/EDTF"
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")  # RFC 3339, as xsd:dateTime takes it


class UnreadableInput(Exception):
    """Input that cannot be read at all (missing file, broken JSON): exit code 2."""


class InvalidData(Exception):
    """Data that cannot be read into its types: exit code 1."""


@dataclass(frozen=True)
class Descriptor:
    path: Path
    data: dict

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def created(self) -> str | None:
        """`created` where it is the RFC 3339 date-time the Data Package profile asks for (what REFI-QDA's
        creationDateTime and the annotations' xsd:dateTime take), else None."""
        value = self.data.get("created")
        try:
            return value if DATE_TIME.fullmatch(value) and datetime.datetime.fromisoformat(value) else None
        except (TypeError, ValueError):
            return None

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

    _ANY = object()

    def stage_types(self, *, realised=_ANY, at_home=_ANY, position=_ANY, transit=_ANY) -> list[str]:
        """Stage types whose `roles` (in the descriptor, on stages.stage_type) match every role given:
        realised (a dated stay in the chain of time), at_home (in the home country; None: either),
        position ("first", "last" or None) and transit."""
        wanted = {"realised": realised, "at_home": at_home, "position": position, "transit": transit}
        wanted = {k: v for k, v in wanted.items() if v is not Descriptor._ANY}
        roles = self.field("stages", "stage_type")["roles"]
        return [t for t, r in roles.items() if all(r.get(k) == v for k, v in wanted.items())]

    def stage_type(self, position: str) -> str:
        """The one stage type that must come `first` (the origin) or `last` (the return) in a journey."""
        return self.stage_types(position=position)[0]

    @property
    def home_countries(self) -> list[str]:
        """The countries the package's journeys leave from and return to (profile 0.3.0:
        `home_countries` on stages.stage_type; a 0.2.0 package's one `home_country`). Each person's
        own home is the country of their origin location: see `journeys.homes`."""
        spec = self.field("stages", "stage_type")
        return list(spec["home_countries"]) if "home_countries" in spec else [spec["home_country"]]

    @property
    def about(self) -> str:
        """The package's description; where it has none (the profile does not require one), its title."""
        return str(self.data.get("description") or self.data.get("title") or self.data.get("name", ""))

    def quote_fields(self, name: str) -> list[str]:
        """Fields of a resource marked `quote: true`: verbatim passages of the row's text (`source_id`)."""
        return [f["name"] for f in self.fields(name) if f.get("quote") is True]

    def quote_source(self, name: str, field: str) -> str:
        """The field naming the text a quote is from: its `sourceField` (a second text, used where filled)
        or `source_id`."""
        return self.field(name, field).get("sourceField", "source_id")

    def dtype(self, field: dict, target: str) -> str:
        """What the field's Table Schema type becomes in `target` (pandas, arrow, sqlite, readr): `typeMap`."""
        return self.data["typeMap"][field.get("type", "string")][target]

    def primary_key(self, name: str) -> list[str]:
        key = self.resource(name)["schema"].get("primaryKey") or []
        return [key] if isinstance(key, str) else list(key)

    def lee_labels(self) -> dict[tuple[str, str], str]:
        """(lee_category, valence or "") → Lee label, from `labels` on codings.valence."""
        labels = self.field("codings", "valence")["labels"]
        return {(category, valence): label for category, by in labels.items() for valence, label in by.items()}

    def missing(self, name: str) -> list[str]:
        """The resource's missing-value markers (its schema's, else the default: the empty string)."""
        return self.resource(name)["schema"].get("missingValues", [""])

    def csv_path(self, name: str) -> Path:
        return self.root / self.resource(name)["path"]


MAX_BYTES = 16 * 2**20  # a descriptor larger than this is refused, not parsed


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs):
    found = dict(pairs)
    if len(found) != len(pairs):
        keys = [k for k, _ in pairs]
        raise ValueError(f"key {next(k for k in keys if keys.count(k) > 1)!r} appears twice in one object")
    return found


def read(path: Path) -> Descriptor:
    """The descriptor at `path`: a regular file of strict JSON (no NaN, no repeated keys), an object."""
    from .names import read_regular

    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            raise UnreadableInput(f"{path}: the descriptor is larger than {MAX_BYTES // 2**20} MiB")
        raw = read_regular(path)
        if raw.startswith(b"PK\x03\x04"):  # a release zip: frictionless reads it whole, we read a folder
            raise UnreadableInput(f"{path} is a zip archive: unzip it into a folder of its own "
                                  f"(unzip -d DIR {path.name}) and name that folder")
        if raw.startswith(b"\xef\xbb\xbf"):
            raise UnreadableInput(f"{path}: the descriptor starts with a byte-order mark; save it as UTF-8 without BOM")
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:  # a \u escape of half a surrogate pair: no character, nothing can write it
            raise ValueError(f"\\u{ord(error.object[error.start]):04x} is half of a surrogate pair, not a character: "
                             "write the character itself") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else (
            getattr(error, "strerror", None) or str(error))
        raise UnreadableInput(f"{path}: cannot read the descriptor ({str(reason)[:200]})") from None
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
