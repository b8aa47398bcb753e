"""Cases as Frictionless Data Packages: a codebook (`codebook`), the tables' rows from the state layer
(`tables`), the zip (`build`), and a case's zip kept for its data version (`kept`). Served by the case
pages and the read API alike."""

from measures.importing.datapackage.build import MEDIA_TYPE, build_package, package_filename
from measures.importing.datapackage.codebook import LEVEL_MEANINGS, SCALE, SCORE, STANCE_MEANINGS, TABLES
from measures.importing.datapackage.kept import kept_case_package
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
    "kept_case_package",
    "package_filename",
]
