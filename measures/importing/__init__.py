"""Bringing data in: case files (JSON, checked against a published JSON Schema)."""

from .casefile import IMPORT_USERNAME, ImportResult, import_case, import_user
from .schema import FORMAT, CaseFileError, parse_case_file, read_case_file, schema_version, validate_case_data

__all__ = [
    "FORMAT",
    "IMPORT_USERNAME",
    "CaseFileError",
    "ImportResult",
    "import_case",
    "import_user",
    "parse_case_file",
    "read_case_file",
    "schema_version",
    "validate_case_data",
]
