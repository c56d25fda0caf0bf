"""hycompliance: check Vietnamese implementation plans against the parent plan they implement."""

__version__ = "0.1.0"
