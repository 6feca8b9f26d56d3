"""otsgraph: a knowledge graph of the Organization of Turkic States."""

__version__ = "0.1.0"

__all__ = ["__version__"]
