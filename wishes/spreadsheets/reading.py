"""Reading an upload: the file's size, its sheet and header row, then every data row checked."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from .checking import ImportRow, RowError, _is_blank, _RowChecker
from .columns import (
    IMPORT_COLUMNS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SCAN_ROWS,
    MAX_UPLOAD_BYTES,
    WISH_SHEET,
    file_language,
    import_headers,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported: unreadable, empty, wrong headers, too big."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def error_row_count(self) -> int:
        return len({error.row for error in self.errors})


def read_import(file: IO[bytes], *, user: User) -> ImportResult:
    """Read and check every data row of an uploaded workbook; save nothing.

    Raises SpreadsheetError when the file as a whole is unusable; problems in single cells
    are collected in the result, all rows at once.
    """
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            _("文件太大了（%(size).1f MB），最大 %(max)d MB。请分成几个文件上传。")
            % {"size": size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    with file_language():
        headers, rows = _read_sheet(file)
        index = _match_headers(headers)
        checker = _RowChecker(user)
        result = ImportResult(row_count=len(rows))
        for number, values in rows:
            cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
            row = checker.check(number, cells, result.errors)
            if row is not None:
                result.rows.append(row)
        checker.check_duplicates(result.rows, result.errors)
    result.errors.sort(key=lambda error: (error.row, _column_order(error.column)))
    return result


def _column_order(header: str) -> int:
    headers = import_headers()
    return headers.index(header) if header in headers else len(headers)


def _read_sheet(file: IO[bytes]) -> tuple[tuple, list[tuple[int, tuple]]]:
    """The header row and the non-empty data rows, each with its Excel row number."""
    unreadable = _(
        "无法读取这个文件。请上传用 Excel 或 WPS 保存的 .xlsx 文件；"
        "如果是 .xls 或 .csv 格式，请先“另存为” Excel 工作簿（.xlsx）。"
    )
    try:
        # data_only=False: a formula arrives as its own text (=HYPERLINK(…)), never as a value
        # cached in the file, which the file may forge; nothing is ever computed.
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception as error:
        # openpyxl fails in many ways on a broken or disguised file (zip, XML, key and
        # value errors); each one means the same to the person uploading it.
        logger.info("unreadable import upload: %r", error)
        raise SpreadsheetError(unreadable) from error
    try:
        sheet = (
            workbook[str(WISH_SHEET)]
            if str(WISH_SHEET) in workbook.sheetnames
            else workbook.worksheets[0]
        )
        header: tuple | None = None
        rows: list[tuple[int, tuple]] = []
        for number, values in enumerate(_iter_rows(sheet), start=1):
            if number > MAX_SCAN_ROWS:
                raise SpreadsheetError(_too_many_rows())
            if all(_is_blank(value) for value in values):
                continue
            if header is None:
                header = values
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(_too_many_rows())
    except SpreadsheetError:
        raise
    except Exception as error:
        # Read-only workbooks parse lazily, so a damaged sheet may only fail here.
        logger.info("unreadable import sheet: %r", error)
        raise SpreadsheetError(unreadable) from error
    finally:
        workbook.close()
    if header is None or not rows:
        raise SpreadsheetError(
            _("文件里没有心愿数据。请在导入模板的表头下面，每行填写一个心愿后再上传。")
        )
    return header, rows


def _iter_rows(sheet: Worksheet) -> Iterator[tuple]:
    return sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)


def _too_many_rows() -> str:
    return _("一次最多导入%(n)d行心愿，请把文件分成几个后分别上传。") % {"n": MAX_ROWS}


def _normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"\s+", "", text).rstrip("*")
    # NFKC turns full-width brackets into ASCII ones; the template uses full-width.
    return text.replace("(", "（").replace(")", "）")


def _match_headers(values: tuple) -> dict[str, int]:
    """Which column of the file holds which field; any missing or unknown column is an error."""
    expected = {_normalise_header(column.header): column for column in IMPORT_COLUMNS}
    found: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for position, value in enumerate(values):
        text = _normalise_header(value)
        if not text:
            continue
        column = expected.get(text)
        if column is None:
            unknown.append(str(value).strip())
        elif column.key in found:
            repeated.append(str(column.header))
        else:
            found[column.key] = position
    missing = [str(column.header) for column in IMPORT_COLUMNS if column.key not in found]
    if not (missing or unknown or repeated):
        return found
    parts = []
    if missing:
        parts.append(_("缺少列：%(names)s") % {"names": _quoted(missing)})
    if unknown:
        parts.append(_("多出列：%(names)s") % {"names": _quoted(unknown)})
    if repeated:
        parts.append(_("重复的列：%(names)s") % {"names": _quoted(repeated)})
    raise SpreadsheetError(
        _("表头和导入模板不一致（%(problems)s）。请下载导入模板，把数据粘贴到模板里再上传。")
        % {"problems": "；".join(parts)}
    )


def _quoted(names: Iterable[str], limit: int = 8) -> str:
    names = list(names)
    text = "、".join(f"“{name}”" for name in names[:limit])
    if len(names) > limit:
        text += _("等%(n)d列") % {"n": len(names)}
    return text
