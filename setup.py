"""The one compiled part: pdfium's per-character calls in a C loop (``hycompliance/ingest/_pdfium_bulk.c``).

Optional: where it cannot be built (no C compiler), the package installs without it and the PDF reader makes
the same calls from ctypes (same output, slower). Everything else is declared in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("hycompliance.ingest._pdfium_bulk", ["hycompliance/ingest/_pdfium_bulk.c"], optional=True)])
