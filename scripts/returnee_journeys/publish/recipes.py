"""How to load each format, as runnable snippets, rendered into the README (paths in the repository)
and into the release's README (paths in the zip); tests/test_readme_snippets.py runs them all."""
from __future__ import annotations

from dataclasses import dataclass


# The DuckDB release whose `sqlite` extension the lock pins (duckdb-extension-sqlite carries one
# DuckDB version's build; a test checks this against requirements.lock).
DUCKDB_SQLITE_PAIRING = "1.5.5"


@dataclass(frozen=True)
class Recipe:
    title: str
    language: str  # the code fence's language: python, r, sh
    code: str      # {exports}: folder of the exports; {name}: the package name; {package}: datapackage.json


RECIPES = [
    Recipe("R, with jsonlite and readr: column types from the descriptor's `typeMap`", "r", '''
library(jsonlite)
library(readr)
package <- fromJSON("{package}", simplifyVector = FALSE)
read_table <- function(name) {{
  resource <- Filter(function(r) r$name == name, package$resources)[[1]]
  fields <- resource$schema$fields
  types <- vapply(fields, function(f) package$typeMap[[f$type]]$readr, "")
  names(types) <- vapply(fields, function(f) f$name, "")
  read_csv(file.path(dirname("{package}"), resource$path), col_types = do.call(cols, as.list(types)),
           na = unlist(resource$schema$missingValues), progress = FALSE)
}}
stages <- read_table("stages")
stopifnot(is.integer(stages$seq), nrow(stages) > 0)
'''),
    Recipe("R, with frictionless: `constraints.enum` becomes factors of the codes (frictionless-r reads no "
           "`categories`); the last line applies the `categories` labels", "r", '''
library(frictionless)
package <- read_package("{package}")
stages <- read_resource(package, "stages")
for (f in Filter(function(r) r$name == "stages", package$resources)[[1]]$schema$fields) if (!is.null(f$categories)) stages[[f$name]] <- factor(stages[[f$name]], levels = sapply(f$categories, `[[`, "value"), labels = sapply(f$categories, `[[`, "label"))
'''),
    Recipe("R, TraMineR: the SPELL file to sequences, with the states' labels and the figures' colours "
           "(leading NAs are the months before departure: `left = \"DEL\"` aligns the sequences there)", "r", '''
library(TraMineR)
spells <- read.csv("{exports}sequences/spells-place.csv")
states <- subset(read.csv("{exports}sequences/states.csv"), kind == "place")  # code, label, colour
sts <- seqformat(spells, from = "SPELL", to = "STS", id = "id", begin = "begin", end = "end",
                 status = "state", process = FALSE)
journeys <- seqdef(sts, alphabet = states$code, labels = states$label, cpal = states$colour, left = "DEL")
'''),
    Recipe("Python, sequenzo: the STS file (months before the first departure are empty)", "python", '''
import pandas as pd
from sequenzo import SequenceData
sts = pd.read_csv("{exports}sequences/sts-place.csv")
months = [c for c in sts.columns if c != "id"]
states = sorted(pd.unique(sts[months].stack().dropna()))  # pandas 3 keeps NaN in stack()
journeys = SequenceData(sts, time=months, states=states, id_col="id")  # time points: months
'''),
    Recipe("Python, DuckDB (any version): the Parquet files, one view per table", "python", '''
import pathlib
import duckdb
con = duckdb.connect()
for path in sorted(pathlib.Path("{exports}parquet").glob("*.parquet")):
    con.execute(f"CREATE VIEW {{path.stem}} AS SELECT * FROM read_parquet('{{path.as_posix()}}')")
print(con.sql("SELECT p.name_in_source, count(*) AS stays FROM stages s JOIN persons p USING (person_id) "
              "GROUP BY ALL ORDER BY 1"))
'''),
    Recipe("Python, DuckDB on the SQLite file, views included: its `sqlite` extension comes in the pip package "
           "`duckdb-extension-sqlite`, whose version must equal DuckDB's "
           f"(`pip install \"duckdb=={DUCKDB_SQLITE_PAIRING}\" \"duckdb-extension-sqlite=={DUCKDB_SQLITE_PAIRING}\"`; "
           "installing it beside a newer DuckDB silently "
           "downgrades DuckDB to its own version)", "python", '''
import pathlib
import duckdb
import duckdb_extension_sqlite  # the same version as duckdb
extension = next(pathlib.Path(duckdb_extension_sqlite.__file__).parent.glob("extensions/*/sqlite.duckdb_extension"))
con = duckdb.connect()
con.install_extension(str(extension))
con.load_extension("sqlite")
con.execute("ATTACH '{exports}{name}.sqlite' AS journeys (TYPE sqlite, READ_ONLY)")
print(con.sql("SELECT person, months_abroad_min, months_abroad_max FROM journeys.comparison"))
'''),
    Recipe("Python, the standard library's sqlite3", "python", '''
import sqlite3
db = sqlite3.connect("{exports}{name}.sqlite")
for person, factor, label in db.execute("SELECT name_in_source, factor_label, lee_label FROM codings_labelled"):
    print(person, factor, label)
'''),
    Recipe("Python, Parquet and the spreadsheet with pandas", "python", '''
import pandas as pd
stages = pd.read_parquet("{exports}parquet/stages.parquet")  # Arrow types from the Table Schema
codings = pd.read_excel("{exports}{name}.xlsx", sheet_name="codings")
glance = pd.read_csv("{exports}comparison.csv")  # one row per person; comparison-cells.csv: the rows behind it
'''),
    Recipe("Datasette: browse the SQLite file with its descriptions, labels and units", "sh", '''
datasette {exports}{name}.sqlite --metadata {exports}metadata.json
'''),
]


# Names Stata does not take for a variable (its reserved names, and `end`, which closes its blocks).
# A test checks that STATA_NOTE names every column of the descriptor that has one of them.
STATA_RESERVED = {"_all", "_b", "byte", "_coef", "_cons", "double", "end", "float", "if", "in", "int", "long",
                  "_n", "_N", "_pi", "_pred", "_rc", "_se", "_skip", "strL", "using", "with"}
STATA_NOTE = ("Stata: `end`, a column of `stages` and of the SPELL sequence files, is a name Stata reserves, so it "
              "cannot be a variable name there: `import delimited` gives that column another name. After importing, "
              "`describe` shows the name Stata chose; `rename` it (to `end_date`, say) before referring to it.")


def render(exports: str, package: str, name: str) -> str:
    """Markdown: each recipe as a short heading line and a fenced block, then the note for Stata users."""
    parts = []
    for recipe in RECIPES:
        code = recipe.code.strip("\n").format(exports=exports, package=package, name=name)
        parts += [f"{recipe.title}:", "", f"```{recipe.language}", code, "```", ""]
    parts += [STATA_NOTE, ""]
    return "\n".join(parts)
