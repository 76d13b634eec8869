from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"  # the prose and recipes the docs and the release are rendered from
