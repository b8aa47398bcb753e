"""Cases as Frictionless Data Packages: a codebook (`codebook`), the tables' rows from the state layer
(`tables`) and the zip (`build`). Served by the case pages and the read API alike."""

from measures.importing.datapackage.build import MEDIA_TYPE, build_package, package_filename
from measures.importing.datapackage.codebook import LEVEL_MEANINGS, SCALE, SCORE, STANCE_MEANINGS, TABLES
from measures.importing.datapackage.tables import default_as_of

__all__ = [
    "LEVEL_MEANINGS",
    "MEDIA_TYPE",
    "SCALE",
    "SCORE",
    "STANCE_MEANINGS",
    "TABLES",
    "build_package",
    "default_as_of",
    "package_filename",
]
