"""Excel in and out of the workbench: the import template, checking an uploaded sheet and saving
it all or nothing, and the wish and volunteer exports. Views only hand over files and users.
The package is split by topic, each module importing only those listed before it: columns
(shared limits, formats and the import columns), template, checking (one row), reading (the
whole upload), saving, exporting. Callers import from here, where the public names are
re-exported.
"""

from .checking import ImportRow, RowError
from .columns import (
    IMPORT_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    XLSX_CONTENT_TYPE,
    Column,
    import_headers,
)
from .exporting import (
    filter_wishes,
    volunteers_for_export,
    volunteers_workbook,
    wishes_for_export,
    wishes_workbook,
    workbook_bytes,
)
from .reading import ImportResult, SpreadsheetError, read_import
from .saving import ImportRejected, save_import
from .template import template_workbook

__all__ = [
    "IMPORT_COLUMNS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportRejected",
    "ImportResult",
    "ImportRow",
    "RowError",
    "SpreadsheetError",
    "filter_wishes",
    "import_headers",
    "read_import",
    "save_import",
    "template_workbook",
    "volunteers_for_export",
    "volunteers_workbook",
    "wishes_for_export",
    "wishes_workbook",
    "workbook_bytes",
]
