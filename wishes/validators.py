from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# MPO is how Pillow names a phone's JPEG that carries a depth map or a preview.
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "GIF", "WEBP"}


def validate_photo(image) -> None:
    """Phone photos only: a real JPEG/PNG/GIF/WebP image of at most 5 MB."""
    if image.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("照片“%(name)s”有%(size)s，请选择不超过%(limit)s的照片。"),
            code="photo_too_large",
            params={
                "name": image.name,
                "size": filesizeformat(image.size),
                "limit": filesizeformat(MAX_PHOTO_BYTES),
            },
        )
    # ImageField has already opened the file with Pillow; check the format it found.
    found = getattr(getattr(image, "image", None), "format", None)
    if found is not None and found.upper() not in PHOTO_FORMATS:
        raise ValidationError(_("只能上传 JPG、PNG、GIF 或 WebP 格式的照片。"), code="photo_format")
