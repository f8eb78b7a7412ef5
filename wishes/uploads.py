"""Uploads refused for their size while they arrive, not after the whole body has been kept.

`LimitedUploadHandler` comes first in FILE_UPLOAD_HANDLERS. A request bigger than any form of the
site needs (UPLOAD_MAX_REQUEST_BYTES, the proxy's limit too) is refused before its body is read.
A file passes on to the handlers that keep it (memory, then a temporary file) only up to
MAX_FILE_BYTES; after that its bytes are counted and dropped, and the form receives a
`TooLargeUpload`: the name and size without the content. Every form that takes files checks the
size first (wishes/images.py for photos, the Excel import for spreadsheets), so the person sees
"照片“IMG_2024.jpg”有12 MB，请选择不超过5 MB的照片" on the same form, with what they typed kept,
instead of a 400 page.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .spreadsheets.columns import MAX_UPLOAD_BYTES as MAX_SPREADSHEET_BYTES
from .validators import MAX_PHOTO_BYTES

# The largest file any form takes: photos and Excel imports are both 5 MB at most.
MAX_FILE_BYTES = max(MAX_PHOTO_BYTES, MAX_SPREADSHEET_BYTES)


class TooLargeUpload(UploadedFile):
    """A file refused for its size while it arrived: its name and full size, none of its bytes
    (reading it gives nothing), so a form can say how big it was."""

    too_large = True

    def __init__(self, name, size, content_type=None, charset=None, content_type_extra=None):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class LimitedUploadHandler(FileUploadHandler):
    """Refuse an oversized request before reading it, and stop keeping a file past
    MAX_FILE_BYTES."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_REQUEST_BYTES:
            # No form of the site sends this much; the proxy refuses it first in production.
            raise RequestDataTooBig(
                "Request body exceeded settings.UPLOAD_MAX_REQUEST_BYTES "
                f"({content_length} > {settings.UPLOAD_MAX_REQUEST_BYTES})."
            )
        return None  # the other handlers parse the body as usual

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large or start + len(raw_data) > MAX_FILE_BYTES:
            # Kept by nobody: the handlers after this one never see the rest of the file.
            self.too_large = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if not self.too_large:
            return None  # the handler that kept it returns the file
        return TooLargeUpload(
            self.file_name, file_size, self.content_type, self.charset, self.content_type_extra
        )
