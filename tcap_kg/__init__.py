"""TCap KG: an open knowledge graph of urban transformative capacity."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tcap-kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
