"""Every rule id the validation code can report is in the catalogue, each rule between tables is
registered once with what the catalogue shows, and docs/validation.md lists every rule."""
import ast
from pathlib import Path

from returnee_journeys.validation import catalogue, rules

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scripts" / "returnee_journeys"
FILES = sorted((PACKAGE / "validation").glob("*.py")) + [PACKAGE / "model" / "load.py"]
# how each module names a rule: the function called, the argument holding the rule id, its prefix
NAMERS = {"Problem": (3, ""), "Rule": (0, "")}
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


def test_each_rule_between_tables_is_one_unit_placed_on_real_fields(fixture_descriptor):
    ids = [rule.id for rule in rules.RULES]
    assert len(ids) == len(set(ids)) and set(ids) <= set(catalogue.RULES)
    for rule in rules.RULES:
        assert rule.description and "\n" not in rule.description and rule.at, rule.id
        assert catalogue.RULES[rule.id] == rule.description
        for at in rule.at:
            names = [f["name"] for f in fixture_descriptor.fields(at.resource)]
            assert at.field is None or at.field in names, (rule.id, at.resource, at.field)
            assert at.hint_for(fixture_descriptor), (rule.id, at.resource)
    # hints speak the descriptor's codes: the generated docs show them as this descriptor words them
    assert all(at.hint_for(fixture_descriptor) in catalogue.markdown(fixture_descriptor)
               for rule in rules.RULES for at in rule.at)


def test_checks_are_made_from_the_catalogue(fixture_descriptor, fixture_tables):
    from returnee_journeys.model import keys

    made = rules.checks(fixture_descriptor, keys.Joins(fixture_tables))
    placed = {(rule.id, at.resource, at.field) for rule in rules.RULES for at in rule.at}
    assert {(c.rule, c.resource, c.field) for c in made} == placed  # the fixture has every table the rules need
