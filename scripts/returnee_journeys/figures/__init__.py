"""The figures, one module per figure named after its output; `draw` writes them (PNG and SVG).

Every figure module has `draw(data, palette=None) -> Figure`, in three steps: `prepare` decides what
is drawn (plain data, unit-tested), `layout` the sizes, `render` draws it. `draw` here also keeps
the colour assignment, `palette.json`, beside the figures (see `style`): keys it has not seen are
appended."""
from __future__ import annotations

from pathlib import Path

from ..model import files, journeys
from . import durations, estimates, factors, routes, sequences, style, timeline

FIGURES = {module.__name__.rsplit(".", 1)[-1]: module
           for module in (timeline, sequences, routes, factors, durations, estimates)}


def draw(ctx, names: list[str] | None = None, out: Path | None = None) -> list[Path]:
    """Draw the named figures (default: all) of the package of `ctx` (a Context) into `out` (default:
    the package's figures/); return the files written. Each file is replaced whole; a folder named
    with --out must be new, empty or one `figures` wrote before (`files.OutputFolder`)."""
    default = out is None or files.same_path(out, ctx.figures)
    out = ctx.figures if out is None else out
    data = journeys.read(ctx.path)
    with files.OutputFolder(out, "figures", strict=not default) as output:
        if not default:
            output.mark()
        palette = style.Palette.for_output(out, ctx.figures).extended(data)
        written = [palette.save(out / style.PALETTE_FILE)]
        for name in sorted(names or FIGURES):
            written += style.save(FIGURES[name].draw(data, palette), name, out)
    return written
