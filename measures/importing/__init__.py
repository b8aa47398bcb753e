"""Case files in and out: JSON checked against a published JSON Schema, loaded, updated and exported."""

from measures.importing.casefile import IMPORT_USERNAME, SECTIONS, ImportResult, import_case, import_user
from measures.importing.export import export_case
from measures.importing.schema import (
    FORMAT,
    CaseFileError,
    parse_case_file,
    read_case_file,
    schema_version,
    validate_case_data,
)
from measures.importing.staging import import_case_staged

__all__ = [
    "FORMAT",
    "IMPORT_USERNAME",
    "CaseFileError",
    "ImportResult",
    "SECTIONS",
    "export_case",
    "import_case",
    "import_case_staged",
    "import_user",
    "parse_case_file",
    "read_case_file",
    "schema_version",
    "validate_case_data",
]
