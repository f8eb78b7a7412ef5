"""Uploaded photos are re-encoded: no location, no device, upright, small, under a random name."""

from __future__ import annotations

import io
import random
import re
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image, ImageCms, ImageFile

from wishes import validators
from wishes.images import MAX_EDGE, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, PhotoError, sanitise_photo
from wishes.models.records import WishPhoto, photo_path

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png)$")

GPS_IFD = 0x8825
EXIF_MAKE = 0x010F
EXIF_MODEL = 0x0110
EXIF_ORIENTATION = 0x0112


# --- building uploads -------------------------------------------------------------------------


def encode(image: Image.Image, format: str, **params) -> bytes:
    """The image saved in memory."""
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    """What Django hands a view for one file of a multipart form."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def noisy(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """An image with detail, so JPEG files have realistic sizes and truncation hits pixel data."""
    rng = random.Random(1)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))


def phone_exif(orientation: int = 6) -> Image.Exif:
    """EXIF like a phone writes: who made the phone, which way it was held, where it was."""
    exif = Image.Exif()
    exif[EXIF_MAKE] = "SecretPhoneMaker"
    exif[EXIF_MODEL] = "Model X99 Pro"
    exif[EXIF_ORIENTATION] = orientation
    exif[GPS_IFD] = {
        1: "N",
        2: (39.0, 54.0, 27.0),
        3: "E",
        4: (116.0, 23.0, 17.0),
        18: "WGS-84-HOME",
    }
    return exif


def sideways_photo() -> bytes:
    """A 400x200 JPEG stored sideways (Orientation=6): red on the left, blue on the right."""
    image = Image.new("RGB", (400, 200), "blue")
    image.paste((255, 0, 0), (0, 0, 200, 200))
    return encode(
        image, "JPEG", exif=phone_exif(), comment=b"Grandma Wang, 3-2-501", xmp=b"<x:xmpmeta/>"
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions but holds almost no data: decoding it would fail."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def refusal(file) -> ValidationError:
    """The ValidationError sanitise_photo raises for the file."""
    with pytest.raises(ValidationError) as caught:
        sanitise_photo(file)
    return caught.value


def reopen(result: ContentFile) -> Image.Image:
    """The sanitised photo as Pillow sees it."""
    result.seek(0)
    image = Image.open(io.BytesIO(result.read()))
    result.seek(0)
    return image


# --- privacy: nothing but the picture ---------------------------------------------------------


def test_a_phone_photo_loses_its_location_device_and_comments():
    result = sanitise_photo(upload(sideways_photo(), name="王奶奶家门口.jpg"))

    raw = result.read()
    image = Image.open(io.BytesIO(raw))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not image.getexif().get_ifd(GPS_IFD)
    assert {"exif", "xmp", "comment", "icc_profile"}.isdisjoint(image.info)
    for secret in (b"Exif", b"SecretPhoneMaker", b"Model X99", b"WGS-84", b"Grandma", b"xmpmeta"):
        assert secret not in raw


def test_a_sideways_photo_is_turned_upright():
    image = reopen(sanitise_photo(upload(sideways_photo())))

    assert image.size == (200, 400)
    # Orientation 6 means "turn 90° clockwise": the red left half ends up on top.
    red, _, blue = image.convert("RGB").getpixel((100, 50))
    assert red > 200 and blue < 60
    red, _, blue = image.convert("RGB").getpixel((100, 350))
    assert blue > 200 and red < 60


def test_an_icc_profile_is_applied_and_dropped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (64, 48), (200, 120, 40)), "JPEG", icc_profile=srgb)

    image = reopen(sanitise_photo(upload(data)))

    assert "icc_profile" not in image.info
    red, green, blue = image.getpixel((32, 24))
    assert abs(red - 200) < 8 and abs(green - 120) < 8 and abs(blue - 40) < 8


def test_png_text_and_exif_chunks_are_dropped():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Grandma Wang")
    text.add_itxt("Comment", "住在3号楼")
    image = Image.new("RGBA", (64, 64), (0, 128, 0, 100))
    data = encode(image, "PNG", pnginfo=text, exif=phone_exif(orientation=1))

    raw = sanitise_photo(upload(data, name="x.png", content_type="image/png")).read()

    assert b"Grandma" not in raw and b"SecretPhoneMaker" not in raw
    assert b"tEXt" not in raw and b"iTXt" not in raw and b"eXIf" not in raw
    assert not Image.open(io.BytesIO(raw)).getexif()


def test_webp_exif_is_dropped():
    data = encode(noisy((120, 80)), "WEBP", exif=phone_exif(orientation=1))

    result = sanitise_photo(upload(data, name="x.webp", content_type="image/webp"))

    raw = result.read()
    assert b"SecretPhoneMaker" not in raw and b"Exif" not in raw
    assert Image.open(io.BytesIO(raw)).format == "JPEG"
    assert result.name.endswith(".jpg")


# --- what comes out -------------------------------------------------------------------------


def test_the_file_name_is_random_and_forgets_the_original():
    first = sanitise_photo(upload(sideways_photo(), name="wang-3-2-501.jpg"))
    second = sanitise_photo(upload(sideways_photo(), name="wang-3-2-501.jpg"))

    assert RANDOM_NAME.match(first.name)
    assert RANDOM_NAME.match(second.name)
    assert first.name != second.name
    assert "wang" not in first.name
    # The stored suffix is the format's, whatever name the file arrives under.
    assert photo_path(WishPhoto(image=first), "wang-3-2-501.pdf").endswith(".jpg")


def test_the_result_is_rewound_and_can_be_stored():
    result = sanitise_photo(upload(sideways_photo()))

    assert result.tell() == 0
    assert result.size == len(result.read())
    result.seek(0)
    saved = default_storage.save(f"wish-photos/{result.name}", result)
    with default_storage.open(saved) as stored:
        assert Image.open(stored).format == "JPEG"
    default_storage.delete(saved)


def test_a_transparent_png_stays_a_png_with_alpha():
    image = Image.new("RGBA", (80, 60), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (20, 20, 60, 40))

    result = sanitise_photo(upload(encode(image, "PNG"), name="x.png", content_type="image/png"))

    assert result.name.endswith(".png")
    out = reopen(result)
    assert out.format == "PNG"
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((40, 30)) == (0, 0, 255, 255)


def test_an_opaque_png_becomes_a_jpeg():
    data = encode(noisy((100, 80)).convert("RGBA"), "PNG")

    result = sanitise_photo(upload(data, name="x.png", content_type="image/png"))

    assert result.name.endswith(".jpg")
    assert reopen(result).mode == "RGB"


def test_a_big_photo_is_scaled_down_to_the_longest_edge():
    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    data = encode(image, "JPEG", quality=95)
    assert len(data) <= MAX_PHOTO_BYTES

    out = reopen(sanitise_photo(upload(data)))

    assert out.size == (MAX_EDGE, 1920)


def test_a_panorama_is_decoded_at_reduced_scale_and_still_sharp_enough():
    image = Image.linear_gradient("L").resize((12_000, 2_000)).convert("RGB")
    data = encode(image, "JPEG", quality=90)

    out = reopen(sanitise_photo(upload(data)))

    assert out.size == (MAX_EDGE, 427)


def test_a_tall_png_keeps_its_aspect_ratio():
    data = encode(Image.new("RGB", (1000, 6000), "white"), "PNG")

    image = reopen(sanitise_photo(upload(data, name="x.png", content_type="image/png")))

    assert image.size == (427, MAX_EDGE)


def test_a_small_photo_is_not_enlarged():
    image = reopen(sanitise_photo(upload(encode(noisy((320, 240)), "JPEG"))))

    assert image.size == (320, 240)


def test_a_cmyk_jpeg_comes_out_as_an_rgb_jpeg():
    data = encode(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG")

    image = reopen(sanitise_photo(upload(data)))

    assert image.format == "JPEG"
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((32, 24))
    assert red > 200 and green < 60 and blue < 60


def test_a_16_bit_greyscale_png_keeps_its_tones():
    data = encode(Image.new("I;16", (32, 32), 32768), "PNG")

    image = reopen(sanitise_photo(upload(data, name="x.png", content_type="image/png")))

    assert 110 < image.getpixel((16, 16))[0] < 145


def test_a_phone_mpo_jpeg_is_accepted_as_a_jpeg():
    # Many phones add a depth map or preview as a second picture; Pillow calls that "MPO".
    buffer = io.BytesIO()
    first = Image.new("RGB", (64, 48), "red")
    first.save(buffer, "MPO", save_all=True, append_images=[noisy((32, 24))], exif=phone_exif())
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"

    result = sanitise_photo(upload(buffer.getvalue()))

    raw = result.read()
    assert b"SecretPhoneMaker" not in raw and b"MPF" not in raw
    image = Image.open(io.BytesIO(raw))
    assert (image.format, image.size) == ("JPEG", (48, 64))


def test_a_gif_is_accepted_and_only_its_first_frame_kept():
    frames = [Image.new("RGB", (50, 40), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)

    result = sanitise_photo(upload(buffer.getvalue(), name="x.gif", content_type="image/gif"))

    image = reopen(result)
    assert image.format == "JPEG"
    assert image.size == (50, 40)
    red, _, blue = image.getpixel((25, 20))
    assert red > 200 and blue < 60


def test_a_transparent_gif_becomes_a_png_with_alpha():
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(1, (10, 10, 30, 30))
    data = encode(image, "GIF", transparency=0)

    out = reopen(sanitise_photo(upload(data, name="x.gif", content_type="image/gif")))

    assert out.format == "PNG" and out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((20, 20)) == (255, 0, 0, 255)


# --- what the caller passes in ------------------------------------------------------------------


def test_a_temporary_uploaded_file_is_read_from_the_start_and_left_open():
    data = sideways_photo()
    temporary = TemporaryUploadedFile("photo.jpg", "image/jpeg", len(data), None)
    temporary.write(data)  # leaves the position at the end, as Django's upload handler does

    try:
        result = sanitise_photo(temporary)

        assert RANDOM_NAME.match(result.name)
        assert not temporary.closed
        assert temporary.tell() == 0
    finally:
        temporary.close()


def test_a_django_file_and_a_content_file_are_accepted(tmp_path: Path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(sideways_photo())

    with path.open("rb") as handle:
        wrapped = File(handle)
        wrapped.read(10)
        assert reopen(sanitise_photo(wrapped)).size == (200, 400)
        assert not handle.closed
    assert reopen(sanitise_photo(ContentFile(sideways_photo()))).size == (200, 400)


def test_an_uploaded_file_can_be_read_again_afterwards():
    original = upload(sideways_photo())

    sanitise_photo(original)

    assert original.read() == sideways_photo()


# --- refusals ---------------------------------------------------------------------------------


def test_a_text_file_called_photo_jpg_is_refused_as_the_wrong_format():
    error = refusal(upload(b"this is not a picture at all\n" * 20, name="photo.jpg"))

    assert isinstance(error, PhotoError)
    assert error.code == "photo_format"
    assert error.messages == ["只能上传 JPG、PNG、GIF 或 WebP 格式的照片。"]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100,  # iPhone HEIC
        encode(Image.new("RGB", (20, 20)), "BMP"),
        encode(Image.new("RGB", (20, 20)), "TIFF"),
        b"",
    ],
    ids=["heic", "bmp", "tiff", "empty"],
)
def test_other_formats_are_refused_whatever_their_name(data: bytes):
    assert refusal(upload(data, name="photo.jpg")).code == "photo_format"


@pytest.mark.parametrize("keep", [0.5, 0.1, 20 / 27_000], ids=["half", "tenth", "header-only"])
def test_a_truncated_jpeg_is_refused_as_broken(keep: float):
    data = encode(noisy((300, 200)), "JPEG")
    truncated = data[: max(4, int(len(data) * keep))]

    error = refusal(upload(truncated, name="厨房.jpg"))

    assert error.code == "photo_broken"
    assert error.messages == ["照片“厨房.jpg”已损坏或不完整，请重新拍摄或选择。"]


def test_a_truncated_png_is_refused_as_broken():
    data = encode(noisy((200, 200)), "PNG")

    assert refusal(upload(data[: len(data) // 2], name="x.png")).code == "photo_broken"


def test_a_file_over_5_mb_is_refused_as_too_large():
    data = b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024)

    error = refusal(upload(data, name="big.jpg"))

    assert error.code == "photo_too_large"
    assert "big.jpg" in error.messages[0]
    assert MAX_PHOTO_BYTES == validators.MAX_PHOTO_BYTES


def test_a_file_over_5_mb_without_a_declared_size_is_refused_too():
    class Stream(io.BytesIO):
        name = "stream.jpg"

    assert refusal(Stream(b"\x00" * (MAX_PHOTO_BYTES + 1))).code == "photo_too_large"


def test_too_many_pixels_are_refused_from_the_header_without_decoding(monkeypatch):
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(self) or real_load(self)
    )
    data = png_header(8000, 6000)
    assert MAX_PHOTO_PIXELS < 8000 * 6000

    error = refusal(upload(data, name="x.png"))

    assert error.code == "photo_too_many_pixels"
    assert error.messages == ["照片尺寸太大了，请选择不超过4000万像素的照片。"]
    assert decoded == []


def test_a_decompression_bomb_is_refused_not_a_server_error():
    # 20000x20000 is past twice Pillow's own limit, so Image.open itself raises.
    assert refusal(upload(png_header(20_000, 20_000))).code == "photo_too_many_pixels"


def test_pillows_bomb_warning_as_an_error_is_still_a_refusal():
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        error = refusal(upload(png_header(10_000, 10_000)))

    assert error.code == "photo_too_many_pixels"


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about damaged EXIF tags
def test_damaged_photos_never_cause_anything_but_a_validation_error():
    rng = random.Random(20240601)
    samples = [
        encode(noisy((64, 48)), "JPEG", exif=phone_exif()),
        encode(noisy((64, 48)).convert("RGBA"), "PNG"),
        encode(noisy((64, 48)).convert("P"), "GIF"),
        encode(noisy((64, 48)), "WEBP"),
    ]
    for sample in samples:
        for _ in range(25):
            damaged = bytearray(sample)
            for _ in range(rng.randint(1, 8)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            if rng.random() < 0.3:
                del damaged[rng.randrange(len(damaged)) :]
            try:
                result = sanitise_photo(upload(bytes(damaged)))
            except ValidationError as error:
                assert error.code in {"photo_format", "photo_broken", "photo_too_many_pixels"}
            else:
                assert RANDOM_NAME.match(result.name)
