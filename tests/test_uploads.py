"""Uploads are typed by their content, stored under random names, refused early when too big,
and served with the type that content has — whatever name or type the browser sent."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from tests.factories import CategoryFactory, WishFactory
from tests.test_images import png_header
from wishes.images import MAX_PHOTO_BYTES, photo_type
from wishes.lifecycle import Status
from wishes.models import EventPhoto, HandoverEvent, HeldPhoto, Wish, WishPhoto
from wishes.uploads import MAX_FILE_BYTES, LimitedUploadHandler

STORED_NAME = re.compile(r"^wish-photos/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)$")
TOO_BIG = MAX_PHOTO_BYTES + 1024 * 1024  # a 6 MB phone photo


def picture(format: str, mode: str = "RGB", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else "red").save(buffer, format)
    return buffer.getvalue()


def upload(data: bytes, name: str, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def oversized(name: str = "IMG_2024.jpg") -> SimpleUploadedFile:
    """A JPEG-looking file a little over the limit: what a new phone's camera writes."""
    return upload(b"\xff\xd8\xff\xe0" + b"\x00" * (TOO_BIG - 4), name)


@pytest.fixture
def rice(db):
    return CategoryFactory(name="生活物资")


def wish_form(rice, **more) -> dict:
    return {
        "category": rice.pk,
        "title": "一袋大米",
        "description": "家里米快吃完了，想要一袋10斤的大米。",
        "kind": Wish.Kind.INDIVIDUAL,
        "target_group": Wish.TargetGroup.ELDERLY,
        **more,
    }


def submit(client, rice, photo) -> object:
    return client.post(reverse("wishes:new"), wish_form(rice, photo=photo))


def stored(name: str, data: bytes) -> str:
    """A file already in storage, as an old release (or a hand in the shell) left it."""
    return default_storage.save(name, ContentFile(data))


@pytest.fixture
def claimed(community, resident, staff, volunteer, rice):
    return WishFactory(
        community=community,
        resident=resident.resident,
        category=rice,
        staff=staff,
        claimer=volunteer,
        claimed=True,
    )


def photo_url(photo: WishPhoto) -> str:
    return reverse("wishes:photo", args=[photo.wish_id, photo.pk])


# ----- typed by content, stored by the type found ---------------------------------------------


def test_a_jpeg_named_photo_pdf_is_stored_as_jpg_and_served_as_a_jpeg(login, resident, rice):
    client = login(resident)
    submit(client, rice, upload(picture("JPEG"), "photo.pdf", "application/pdf"))
    photo = WishPhoto.objects.get()

    response = client.get(photo_url(photo))

    assert STORED_NAME.match(photo.image.name) and photo.image.name.endswith(".jpg")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_photo_is_served_inline_under_its_random_name_only(login, resident, rice):
    client = login(resident)
    submit(client, rice, upload(picture("JPEG"), "王奶奶家厨房.pdf"))
    photo = WishPhoto.objects.get()

    disposition = client.get(photo_url(photo))["Content-Disposition"]

    basename = photo.image.name.rsplit("/", 1)[-1]
    assert disposition == f'inline; filename="{basename}"'


def test_a_transparent_png_is_stored_and_served_as_a_png(login, resident, rice):
    client = login(resident)
    submit(client, rice, upload(picture("PNG", "RGBA"), "sign.jpg", "image/jpeg"))
    photo = WishPhoto.objects.get()

    response = client.get(photo_url(photo))

    assert photo.image.name.endswith(".png")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_old_photo_stored_as_pdf_is_served_as_the_jpeg_it_is(login, resident, claimed):
    name = stored("wish-photos/2025/01/0123456789abcdef0123456789abcdef.pdf", picture("JPEG"))
    photo = WishPhoto.objects.create(wish=claimed, image=name, kind=WishPhoto.Kind.REQUEST)

    response = login(resident).get(photo_url(photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        'inline; filename="0123456789abcdef0123456789abcdef.jpg"'
    )


def test_a_stored_file_that_is_no_photo_is_never_served(login, resident, claimed):
    name = stored("wish-photos/2025/01/fedcba9876543210fedcba9876543210.jpg", b"<html><script>")
    photo = WishPhoto.objects.create(wish=claimed, image=name, kind=WishPhoto.Kind.REQUEST)

    assert login(resident).get(photo_url(photo)).status_code == 404


def test_an_events_photo_is_served_by_its_content_too(login, community, staff, volunteer):
    from django.utils import timezone

    event = HandoverEvent.objects.create(
        community=community,
        title="七一集中兑现",
        place="党群服务中心",
        starts_at=timezone.now(),
        ends_at=timezone.now(),
        created_by=staff,
    )
    name = stored("event-photos/2025/01/00000000000000000000000000000000.html", picture("PNG"))
    item = EventPhoto.objects.create(event=event, image=name)

    response = login(staff).get(reverse("wishes:event_photo", args=[event.short_code, item.pk]))

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_held_photo_is_re_encoded_and_named_by_its_type_whatever_its_name(resident):
    held = HeldPhoto.objects.create(owner=resident, image=upload(picture("JPEG"), "photo.pdf"))

    assert re.fullmatch(r"held-photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", held.image.name)


def test_what_a_file_is_comes_from_its_first_bytes():
    assert photo_type(picture("JPEG")) == ("jpg", "image/jpeg")
    assert photo_type(picture("PNG")) == ("png", "image/png")
    assert photo_type(picture("GIF")) == ("gif", "image/gif")
    assert photo_type(picture("WEBP")) == ("webp", "image/webp")
    assert photo_type(b'<svg xmlns="http://www.w3.org/2000/svg"/>') is None
    assert photo_type(b"<!doctype html><html>") is None


# ----- refused: what is no photo --------------------------------------------------------------

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (SVG, "drawing.svg", "image/svg+xml"),
        (HTML, "photo.jpg", "image/jpeg"),
        (b"\xff\xd8\xff" + HTML, "photo.jpg", "image/jpeg"),  # a JPEG's magic, then a page
    ],
    ids=["svg", "html-named-jpg", "html-behind-jpeg-magic"],
)
def test_svg_and_html_are_refused_and_the_form_keeps_what_was_typed(
    login, resident, rice, data, name, content_type
):
    response = submit(login(resident), rice, upload(data, name, content_type))

    page = response.content.decode()
    assert response.status_code == 200 and not Wish.objects.exists()
    assert "只能上传 JPG、PNG、GIF 或 WebP 格式的照片" in page or "已损坏或不完整" in page
    assert "家里米快吃完了" in page


def test_a_decompression_bomb_is_refused_with_a_message(login, resident, rice):
    bomb = upload(png_header(20_000, 20_000), "small.png", "image/png")

    response = submit(login(resident), rice, bomb)

    assert response.status_code == 200 and not Wish.objects.exists()
    assert "照片尺寸太大了，请选择不超过4000万像素的照片。" in response.content.decode()


def test_a_picture_just_over_the_pixel_limit_is_refused_from_its_header(login, resident, rice):
    # 8000 x 6000 = 48 megapixels: under Pillow's own bomb limit, over ours.
    response = submit(login(resident), rice, upload(png_header(8000, 6000), "big.png"))

    assert "照片尺寸太大了" in response.content.decode()


# ----- refused: too big, before the rest is read ----------------------------------------------


class CountingHandler(FileUploadHandler):
    """Stands in for the handlers that keep an upload (memory, temporary file)."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        CountingHandler.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_a_photo_over_5_mb_is_refused_with_a_message_and_the_form_kept(login, resident, rice):
    response = submit(login(resident), rice, oversized("IMG_2024.jpg"))

    page = response.content.decode()
    assert response.status_code == 200 and not Wish.objects.exists()
    assert "照片“IMG_2024.jpg”有6.0\xa0MB，请选择不超过5.0\xa0MB的照片。" in page
    assert "一袋大米" in page and "家里米快吃完了" in page


def test_a_photo_over_5_mb_is_refused_in_english_for_an_english_reader(login, resident, rice):
    client = login(resident)
    client.cookies["django_language"] = "en"

    page = submit(client, rice, oversized("IMG_2024.jpg")).content.decode()

    assert "please choose a photo no larger than 5.0" in page


def test_an_oversized_photo_is_not_kept_past_the_limit(login, resident, rice):
    CountingHandler.received = 0
    handlers = ["wishes.uploads.LimitedUploadHandler", "tests.test_uploads.CountingHandler"]
    with override_settings(FILE_UPLOAD_HANDLERS=handlers):
        submit(login(resident), rice, oversized())

    assert 0 < CountingHandler.received <= MAX_FILE_BYTES


def test_a_fulfilment_with_one_photo_too_big_keeps_the_note(login, volunteer, claimed):
    response = login(volunteer).post(
        reverse("wishes:fulfil", args=[claimed.pk]),
        {"note": "十一月二十日送到家", "photos": [upload(picture("JPEG"), "a.jpg"), oversized()]},
    )

    claimed.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 200 and claimed.status == Status.CLAIMED
    assert "请选择不超过5.0\xa0MB的照片" in page and "十一月二十日送到家" in page


def test_a_spreadsheet_over_5_mb_is_refused_with_its_own_message(login, staff):
    big = upload(b"PK\x03\x04" + b"\x00" * TOO_BIG, "名单.xlsx", "application/octet-stream")

    response = login(staff).post(reverse("staff:import"), {"file": big})

    assert response.status_code == 200
    assert "文件太大了，最大 5 MB" in response.content.decode()


def test_a_request_bigger_than_any_form_needs_is_refused_before_it_is_read():
    handler = LimitedUploadHandler(request=None)
    limit = settings.UPLOAD_MAX_REQUEST_BYTES

    assert handler.handle_raw_input(None, {}, limit, "boundary") is None
    with pytest.raises(RequestDataTooBig):
        handler.handle_raw_input(None, {}, limit + 1, "boundary")


@override_settings(UPLOAD_MAX_REQUEST_BYTES=100_000)
def test_a_request_over_the_limit_is_a_bad_request_and_saves_nothing(login, resident, rice):
    photo = upload(b"\xff\xd8\xff" + b"\x00" * 200_000, "big.jpg")

    response = submit(login(resident), rice, photo)

    assert response.status_code == 400 and not Wish.objects.exists()


def test_the_upload_limits_are_set():
    assert settings.FILE_UPLOAD_HANDLERS[0] == "wishes.uploads.LimitedUploadHandler"
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2560 * 1024
    assert MAX_FILE_BYTES == MAX_PHOTO_BYTES


# ----- random names ---------------------------------------------------------------------------


def test_two_photos_with_one_name_are_stored_under_two_random_names(login, resident, rice):
    client = login(resident)
    for title in ("一袋大米", "一桶油"):
        client.post(
            reverse("wishes:new"),
            wish_form(rice, title=title, photo=upload(picture("JPEG"), "王奶奶家.jpg")),
        )

    first, second = [photo.image.name for photo in WishPhoto.objects.order_by("pk")]
    assert first != second
    assert STORED_NAME.match(first) and STORED_NAME.match(second)
    assert "王奶奶" not in first + second
