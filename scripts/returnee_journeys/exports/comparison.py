"""The comparison table (`model.comparison`) as files: CSV with the ids, the long table of the rows
behind every cell, and a LaTeX `booktabs` table ready for a manuscript."""
from __future__ import annotations

import string
from pathlib import Path

import pandas as pd

from ..model import comparison as comparison_model
from .exporter import TEMPLATES, Exporter

LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "[": "{[}", "]": "{]}", "–": "--", "−": "$-$", "…": r"\ldots{}"}


def one_line(text: object) -> str:
    """The text on one line: every run of white space (line breaks included) one space, control
    characters dropped. A line break would end a LaTeX comment, or a paragraph inside a caption."""
    return " ".join("".join(c for c in str(text) if c.isprintable() or c.isspace()).split())


def latex_escape(text: object) -> str:
    """Text as LaTeX typesets it literally: special characters escaped, on one line."""
    return "".join(LATEX_SPECIAL.get(c, c) for c in one_line(text))


def latex(table: pd.DataFrame, version: str, title: str) -> str:
    shown = comparison_model.display(table)
    widths = dict(zip(comparison_model.DISPLAY, (1.2, 1.3, 1.6, 1.9, 2.2, 2.2, 1.9, 2.6, 2.6, 2.2, 1.0)))
    spec = "".join(r">{\raggedright\arraybackslash}p{%gcm}" % widths.get(c, 2.0) for c in shown.columns)
    rows = [" & ".join(latex_escape(c[:1].upper() + c[1:]) for c in shown.columns) + " \\\\", "\\midrule"]
    rows += [" & ".join(latex_escape(v) for v in record) + " \\\\" for record in shown.itertuples(index=False)]
    return string.Template((TEMPLATES / "comparison.tex").read_text(encoding="utf-8")).substitute(
        title_line=one_line(title), version_line=one_line(version), title=latex_escape(title),
        version=latex_escape(version), spec=spec, rows="\n".join(rows))


def write(result: comparison_model.Comparison, folder: Path, version: str, title: str) -> list[Path]:
    written = [folder / "comparison.csv", folder / "comparison-cells.csv", folder / "comparison.tex"]
    for frame, path in zip((result.rows, result.cells), written):
        frame.to_csv(path, index=False, lineterminator="\n")
    written[2].write_text(latex(result.rows, version, title), encoding="utf-8")
    return written


EXPORTER = Exporter("comparison", lambda job, folder: write(job.glance, folder, job.data.version,
                                                             job.data.descriptor.data["title"]))
