"""One module per chapter: its exercises' batteries, oracles and hints (see ../registry.py)."""
