"""How to load each format, as runnable snippets (templates/loading-recipes.md), rendered into the README
(paths in the repository) and into the release's README (paths in the zip); tests/test_readme_snippets.py
runs them all."""
from __future__ import annotations

from . import TEMPLATES

RECIPES = TEMPLATES / "loading-recipes.md"

# The DuckDB release whose `sqlite` extension the lock pins (duckdb-extension-sqlite carries one
# DuckDB version's build; a test checks this against requirements.lock).
DUCKDB_SQLITE_PAIRING = "1.5.5"

# Names Stata does not take for a variable (its reserved names, and `end`, which closes its blocks).
# A test checks that STATA_NOTE names every column of the descriptor that has one of them.
STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "end", "float", "if", "in", "int", "long",
                  "_n", "_N", "_pi", "_pred", "_rc", "_se", "_skip", "strL", "using", "with"}
STATA_NOTE = ("Stata: `end`, a column of `stages` and of the SPELL sequence files, is a name Stata reserves, so it "
              "cannot be a variable name there: `import delimited` gives that column another name. After importing, "
              "`describe` shows the name Stata chose; `rename` it (to `end_date`, say) before referring to it.")


def render(exports: str, package: str, name: str) -> str:
    """Markdown: each recipe as a short heading line and a fenced block, then the note for Stata users.
    {exports}: folder of the exports; {name}: the package name; {package}: datapackage.json."""
    recipes = RECIPES.read_text(encoding="utf-8").format(exports=exports, package=package, name=name,
                                                         pairing=DUCKDB_SQLITE_PAIRING)
    return f"{recipes}\n{STATA_NOTE}\n"
