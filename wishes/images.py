"""Re-encode uploaded photos so that nothing but the picture itself is ever stored."""

from __future__ import annotations

import io
import logging
import math
import os
import uuid
from typing import IO, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

from wishes.validators import MAX_PHOTO_BYTES, PHOTO_FORMATS

__all__ = [
    "MAX_EDGE",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "PhotoError",
    "PhotoType",
    "photo_type",
    "random_name",
    "sanitise_photo",
]

logger = logging.getLogger(__name__)

MAX_PHOTO_PIXELS = 40_000_000
MAX_EDGE = 2560
JPEG_QUALITY = 85

# Decode JPEGs at a reduced DCT scale, but keep at least twice the target size so the final
# high-quality resampling still has detail to work with (the same idea as Pillow's reducing_gap).
_REDUCING_GAP = 2

# Phones write JPEGs with extra pictures (depth maps, previews) that Pillow reports as "MPO";
# they are ordinary JPEGs as far as a resident is concerned.
_JPEG_FORMATS = {"JPEG", "MPO"}
_ACCEPTED_FORMATS = {name.upper() for name in PHOTO_FORMATS} | _JPEG_FORMATS
# Pillow opens MPO files through its JPEG plugin; "MPO" is not an opener of its own.
_OPEN_FORMATS = sorted(name.upper() for name in PHOTO_FORMATS if name.upper() != "MPO")


class PhotoType(NamedTuple):
    """What a photo file is, by its content: the suffix it is stored under and the type it is
    served as."""

    suffix: str
    content_type: str


# The first bytes of the accepted formats. They name the type a file is stored and served as;
# content that starts like one of them but that Pillow cannot read is a damaged photo, not a
# photo of the wrong kind.
_SIGNATURES = (
    (b"\xff\xd8\xff", PhotoType("jpg", "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", PhotoType("png", "image/png")),
    (b"GIF87a", PhotoType("gif", "image/gif")),
    (b"GIF89a", PhotoType("gif", "image/gif")),
)
_WEBP = PhotoType("webp", "image/webp")
HEAD_BYTES = 12  # enough for every signature above and WebP's RIFF....WEBP

_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_SIXTEEN_BIT_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}

MESSAGE_TOO_LARGE = _("照片“%(name)s”有%(size)s，请选择不超过%(limit)s的照片。")
MESSAGE_FORMAT = _("只能上传 JPG、PNG、GIF 或 WebP 格式的照片。")
MESSAGE_BROKEN = _("照片“%(name)s”已损坏或不完整，请重新拍摄或选择。")
MESSAGE_TOO_MANY_PIXELS = _("照片尺寸太大了，请选择不超过4000万像素的照片。")


class PhotoError(ValidationError):
    """An uploaded photo that cannot be accepted; a ValidationError so forms show it as usual."""


def sanitise_photo(upload: File | IO[bytes]) -> ContentFile:
    """Re-encode a photo: no metadata, upright, at most MAX_EDGE px, under a random file name."""
    name = _display_name(upload)
    data = _read_bytes(upload, name)
    image = _decode(data, name)
    try:
        image, suffix = _render(image)
        body = _encode(image, suffix)
    except MemoryError:
        raise
    except Exception as error:
        # Pillow's codecs raise many exception types on malformed pixel data; none may become a 500.
        logger.info("Refused a photo that could not be re-encoded", exc_info=True)
        raise _broken(name) from error
    clean = ContentFile(body, name=f"{uuid.uuid4().hex}.{suffix}")
    clean.sanitised = True  # WishPhoto.save() leaves it as it is
    return clean


def sanitised_if_new(image):
    """What an ImageField should store for `image`: a new upload re-encoded (unless that was
    done already); a file already in storage as it is."""
    if not image or getattr(image, "_committed", True) or getattr(image.file, "sanitised", False):
        return image
    return sanitise_photo(image)


def photo_type(head: bytes) -> PhotoType | None:
    """A JPEG, PNG, GIF or WebP file's type from its first bytes; None for anything else."""
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return found
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return None


def random_name(folder: str, image: File | IO[bytes]) -> str:
    """A storage path that tells nothing about the people in the photo, ending in the suffix of
    the format its content is: never anything from the name it was uploaded under."""
    image.seek(0)
    head = image.read(HEAD_BYTES)
    image.seek(0)
    found = photo_type(head if isinstance(head, bytes) else b"")
    if found is None:
        # Every path re-encodes before storing, so this is a bug, not a resident's mistake; a
        # file that is no photo must not be stored whatever called this.
        raise PhotoError(MESSAGE_FORMAT, code="photo_format")
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{found.suffix}"


def _display_name(upload: Any) -> str:
    """The file's own name without any directories, for error messages only."""
    raw = getattr(upload, "name", None) or ""
    return os.path.basename(str(raw)) or str(_("未命名"))


def _read_bytes(upload: Any, name: str) -> bytes:
    """At most MAX_PHOTO_BYTES of the upload from its start, leaving the caller's file open."""
    declared = _declared_size(upload)
    if declared is not None and declared > MAX_PHOTO_BYTES:
        raise _too_large(name, declared)
    upload.seek(0)
    # One byte more than allowed is enough to know the file is too large without reading it all.
    data = upload.read(MAX_PHOTO_BYTES + 1)
    upload.seek(0)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_PHOTO_BYTES:
        raise _too_large(name, declared if declared is not None else len(data))
    return data


def _declared_size(upload: Any) -> int | None:
    """The size the file object reports, if it can report one."""
    try:
        size = upload.size
    except (AttributeError, OSError, TypeError, ValueError):
        return None
    return size if isinstance(size, int) else None


def _decode(data: bytes, name: str) -> Image.Image:
    """Identify the photo by its content, check its dimensions, then decode its pixels."""
    try:
        # Image.open only parses the header, so the dimensions are known before any decoding.
        with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as probe:
            _check_header(probe)
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
        _check_header(image)
        if (image.format or "").upper() in _JPEG_FORMATS:
            _draft(image)
        image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own guard (or its warning, when warnings are errors) fires above our limit.
        raise _too_many_pixels() from error
    except Image.UnidentifiedImageError as error:
        if _looks_like_accepted_format(data):
            raise _broken(name) from error
        raise PhotoError(MESSAGE_FORMAT, code="photo_format") from error
    except MemoryError:
        raise
    except Exception as error:
        # Truncated or corrupt files surface as OSError, SyntaxError, struct.error, ValueError...
        logger.info("Refused a broken photo", exc_info=True)
        raise _broken(name) from error
    return image


def _check_header(image: Image.Image) -> None:
    """Refuse formats and dimensions we do not take, before any pixel data is decoded."""
    if (image.format or "").upper() not in _ACCEPTED_FORMATS:
        raise PhotoError(MESSAGE_FORMAT, code="photo_format")
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels()


def _draft(image: Image.Image) -> None:
    """Let libjpeg decode a large JPEG at 1/2, 1/4 or 1/8 scale: faster and far less memory."""
    longest = max(image.size)
    scale = MAX_EDGE * _REDUCING_GAP / longest
    if scale < 1:
        width, height = image.size
        image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))


def _looks_like_accepted_format(data: bytes) -> bool:
    """Whether the bytes start like a JPEG, PNG, GIF or WebP file."""
    return photo_type(data) is not None


def _render(image: Image.Image) -> tuple[Image.Image, str]:
    """Upright, sRGB, downscaled pixels with no metadata, and the suffix to save them as."""
    image = _upright(image)
    image = _to_srgb(image)
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        # An alpha channel that is opaque everywhere is just a photo: JPEG is far smaller.
        image = image.convert("RGB")
    # Every Pillow operation copies info (EXIF, XMP, comments, ICC, transparency) along and the
    # encoders write it back out; a fresh image from the bare pixels carries none of it.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean, "png" if clean.mode == "RGBA" else "jpg"


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, ignoring metadata too malformed to read."""
    try:
        return ImageOps.exif_transpose(image)
    except MemoryError:
        raise
    except Exception:
        # The pixels are already decoded and fine; a broken EXIF block only costs the rotation.
        logger.info("Ignored unreadable EXIF orientation", exc_info=True)
        return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB, so that dropping the ICC profile does not shift colours."""
    profile = image.info.get("icc_profile")
    has_alpha = image.mode in _ALPHA_MODES or "transparency" in image.info
    target = "RGBA" if has_alpha else "RGB"
    if image.mode in _SIXTEEN_BIT_MODES:
        # 16-bit greyscale PNGs would clip to white in a plain conversion; scale to 8 bits first.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "CMYK" and profile:
        converted = _apply_profile(image, profile, "RGB")
        if converted is not None:
            return converted
    if image.mode != target:
        image = image.convert(target)
    if profile:
        converted = _apply_profile(image, profile, target)
        if converted is not None:
            return converted
    return image


def _apply_profile(image: Image.Image, profile: bytes, mode: str) -> Image.Image | None:
    """The image converted from its embedded ICC profile to sRGB, or None if that fails."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A profile lcms cannot use (or one for another colour space) is not worth refusing
        # the photo over; plain conversion is close enough.
        return None


def _encode(image: Image.Image, suffix: str) -> bytes:
    """The image saved as JPEG or PNG with no metadata of any kind."""
    buffer = io.BytesIO()
    if suffix == "png":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _too_large(name: str, size: int) -> PhotoError:
    """The error for a file over MAX_PHOTO_BYTES, worded as validators.validate_photo's."""
    return PhotoError(
        MESSAGE_TOO_LARGE,
        code="photo_too_large",
        params={
            "name": name,
            "size": filesizeformat(size),
            "limit": filesizeformat(MAX_PHOTO_BYTES),
        },
    )


def _too_many_pixels() -> PhotoError:
    """The error for a photo over MAX_PHOTO_PIXELS."""
    return PhotoError(MESSAGE_TOO_MANY_PIXELS, code="photo_too_many_pixels")


def _broken(name: str) -> PhotoError:
    """The error for a truncated or corrupt photo."""
    return PhotoError(MESSAGE_BROKEN, code="photo_broken", params={"name": name})
