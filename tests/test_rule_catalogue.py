"""Every rule id the validation code can report is in the catalogue, and docs/validation.md lists it."""
import ast
from pathlib import Path

from returnee_journeys.validation import catalogue

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scripts" / "returnee_journeys"
FILES = sorted((PACKAGE / "validation").glob("*.py")) + [PACKAGE / "model" / "load.py"]
# how each module names a rule: the function called, the argument holding the rule id, its prefix
NAMERS = {"add": (3, ""), "Problem": (3, "")}
OWN_NAMERS = {"descriptor_checks.py": {"_problem": (2, "descriptor:")}, "profile.py": {"_problem": (2, "profile:")},
              "load.py": {"_problem": (4, "")}}


def rule_ids_in_code() -> set[str]:
    found = set()
    for path in FILES:
        namers = NAMERS | OWN_NAMERS.get(path.name, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in namers:
                at, prefix = namers[node.func.id]
                if len(node.args) > at and isinstance(node.args[at], ast.Constant) and isinstance(node.args[at].value, str):
                    found.add(prefix + node.args[at].value)
    return found


def test_every_rule_in_code_is_catalogued_and_documented():
    found = rule_ids_in_code()
    assert {"seq-runs-1-to-n", "quote-verbatim", "descriptor:safe-path", "profile:missing", "row-length"} <= found
    assert found - set(catalogue.RULES) == set()
    docs = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert [rule for rule in catalogue.RULES if f"| `{rule}` |" not in docs] == []
