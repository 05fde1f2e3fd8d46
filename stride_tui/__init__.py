"""stride-tui: a terminal editor and CI gate for STRIDE threat models kept as TOML in the repo."""

__version__ = "0.1.0"
