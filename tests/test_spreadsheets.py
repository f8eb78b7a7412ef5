"""导入导出: the Excel template, importing filled sheets all or nothing, and the exports."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Resident
from tests.factories import (
    CategoryFactory,
    CommunityFactory,
    GridFactory,
    ResidentFactory,
    UserFactory,
    WishFactory,
    make_volunteer,
)
from wishes import spreadsheets
from wishes.lifecycle import Status
from wishes.models import Wish, WishEvent

HEADERS = spreadsheets.import_headers()
IMPORT = reverse("staff:import")


@pytest.fixture
def category(db):
    return CategoryFactory(name="生活物资")


@pytest.fixture
def staff_client(login, staff, category, grid):
    return login(staff)


def good_row(**changes) -> dict:
    row = {
        "社区": "福阳社区",
        "网格": "明珠花园第二网格",
        "居民姓名": "王秀英",
        "性别": "女",
        "联系电话": "13812345678",
        "住址": "明珠花园3栋2单元501",
        "家庭情况": "低保户",
        "类别": "生活物资",
        "心愿标题": "一袋大米和一桶油",
        "心愿描述": "家里米面油快吃完了，希望能送一袋大米和一桶油。",
        "紧急程度": "紧急",
        "服务对象": "老年人",
        "预估价值（元）": 120,
        "期望完成日期": datetime.date(2026, 12, 31),
        "同意公开": "是",
    }
    row.update(changes)
    return row


def workbook_bytes(rows, headers=HEADERS, blank_rows_before=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for number, row in enumerate(rows, start=2):
        if number in blank_rows_before:
            sheet.append([])
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx(rows, headers=HEADERS, name="心愿.xlsx", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows, headers, **kwargs))


def errors_of(response) -> list[tuple[int, str, str]]:
    result = response.context["result"]
    return [(error.row, error.column, error.message) for error in result.errors]


def file_error(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


def read(response):
    return load_workbook(io.BytesIO(response.content))


# ----- the template -----------------------------------------------------------------------


def test_template_downloads_with_the_headers(staff_client):
    response = staff_client.get(reverse("staff:import_template"))
    sheet = read(response).worksheets[0]
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert [cell.value for cell in sheet[1]] == [
        "社区", "网格", "居民姓名", "性别", "联系电话", "住址", "家庭情况", "类别",
        "心愿标题", "心愿描述", "紧急程度", "服务对象", "预估价值（元）", "期望完成日期",
        "同意公开",
    ]  # fmt: skip


def test_template_help_sheet_lists_own_communities_grids_and_active_categories(
    staff_client, other_community
):
    CategoryFactory(name="停用类别", is_active=False)
    GridFactory(community=other_community, name="别的网格")
    help_sheet = read(staff_client.get(reverse("staff:import_template")))["填写说明"]
    values = {cell.value for row in help_sheet.iter_rows() for cell in row}
    assert {"福阳社区", "明珠花园第二网格", "生活物资", "低保户", "紧急", "是"} <= values
    assert not {"新兴社区", "别的网格", "停用类别"} & values


def test_template_offers_drop_down_lists(staff_client):
    sheet = read(staff_client.get(reverse("staff:import_template"))).worksheets[0]
    formulas = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert "'填写说明'!$E$5:$E$5" in formulas  # 社区: the one community this staff member has


# ----- importing --------------------------------------------------------------------------


def test_get_on_the_import_page_shows_the_upload_form(staff_client):
    response = staff_client.get(IMPORT)
    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert reverse("staff:import_template").encode() in response.content


def test_good_file_imports_each_row_as_a_wish_awaiting_review(staff_client, staff):
    rows = [good_row(), good_row(心愿标题="冬天的厚棉被"), good_row(居民姓名="李建国")]
    response = staff_client.post(IMPORT, {"file": xlsx(rows)})
    assert response.status_code == 302
    assert "已导入 3 个心愿，等待审核" in " ".join(
        str(m) for m in get_messages(response.wsgi_request)
    )
    assert set(Wish.objects.values_list("channel", "entered_by", "status")) == {
        (Wish.Channel.IMPORT, staff.pk, Status.SUBMITTED)
    }


def test_imported_wishes_carry_every_column(staff_client, grid, category):
    staff_client.post(IMPORT, {"file": xlsx([good_row()])})
    wish = Wish.objects.select_related("resident").get()
    assert (wish.grid, wish.category, wish.priority, wish.target_group) == (
        grid,
        category,
        Wish.Priority.URGENT,
        Wish.TargetGroup.ELDERLY,
    )
    assert (wish.estimated_value, wish.due_date, wish.public_consent) == (
        Decimal("120.00"),
        datetime.date(2026, 12, 31),
        True,
    )
    assert (wish.resident.phone, wish.resident.situation) == ("13812345678", "low_income")


def test_each_imported_wish_starts_its_timeline_with_the_importer(staff_client, staff):
    staff_client.post(IMPORT, {"file": xlsx([good_row(), good_row(居民姓名="李建国")])})
    events = WishEvent.objects.values_list("action", "actor", "note")
    assert list(events) == [("submit", staff.pk, "批量导入")] * 2


def test_known_resident_is_found_by_name_and_phone_and_new_ones_registered(
    staff_client, staff, community
):
    known = ResidentFactory(community=community, name="王秀英", phone="13812345678")
    rows = [good_row(), good_row(居民姓名="李建国", 联系电话="", 心愿标题="修好楼道灯")]
    staff_client.post(IMPORT, {"file": xlsx(rows)})
    assert Wish.objects.get(title="一袋大米和一桶油").resident == known
    assert Resident.objects.get(name="李建国").created_by == staff


def test_a_self_registered_account_with_the_same_name_and_phone_is_not_matched(
    staff_client, community
):
    signed_up = ResidentFactory(
        community=community, name="王秀英", phone="13812345678", address="", user=UserFactory()
    )
    staff_client.post(IMPORT, {"file": xlsx([good_row()])})
    signed_up.refresh_from_db()
    assert Wish.objects.get(title="一袋大米和一桶油").resident != signed_up
    assert signed_up.address == ""


def test_two_rows_of_one_new_resident_register_them_once(staff_client):
    rows = [good_row(), good_row(心愿标题="冬天的厚棉被")]
    staff_client.post(IMPORT, {"file": xlsx(rows)})
    assert Resident.objects.filter(name="王秀英").count() == 1


def test_uploads_kept_on_disk_are_read_too(staff_client, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # as for files over 2.5 MB
    staff_client.post(IMPORT, {"file": xlsx([good_row()])})
    assert Wish.objects.count() == 1


def test_phone_stored_as_an_excel_number_is_accepted(staff_client):
    staff_client.post(IMPORT, {"file": xlsx([good_row(联系电话=13812345678.0)])})
    assert Wish.objects.get().resident.phone == "13812345678"


@pytest.mark.parametrize(
    "cell",
    ["2026-12-31", "2026/12/31", " 2026/12/31 ", datetime.datetime(2026, 12, 31, 0, 0)],
)
def test_due_dates_may_be_real_dates_or_text(staff, category, grid, cell):
    result = spreadsheets.read_import(
        io.BytesIO(workbook_bytes([good_row(期望完成日期=cell)])), user=staff
    )
    assert result.rows[0].due_date == datetime.date(2026, 12, 31)


def test_short_dates_like_2026_1_5_are_read(staff, category, grid):
    data = workbook_bytes([good_row(期望完成日期="2026/1/5")])
    result = spreadsheets.read_import(io.BytesIO(data), user=staff)
    assert result.rows[0].due_date == datetime.date(2026, 1, 5)


def test_empty_rows_are_skipped_and_errors_keep_excel_row_numbers(staff_client):
    rows = [good_row(), good_row(居民姓名="李建国", 类别="火星物资")]
    response = staff_client.post(IMPORT, {"file": xlsx(rows, blank_rows_before={3})})
    assert [(row, column) for row, column, _ in errors_of(response)] == [(4, "类别")]


def test_wrong_headers_name_the_missing_and_unknown_columns(staff_client):
    headers = [h for h in HEADERS if h != "类别"] + ["备注"]
    response = staff_client.post(IMPORT, {"file": xlsx([good_row()], headers=headers)})
    assert "缺少列：“类别”" in file_error(response)
    assert "多出列：“备注”" in file_error(response)
    assert not Wish.objects.exists()


def test_bad_phone_is_reported_with_its_row_and_column(staff_client):
    rows = [good_row(), good_row(居民姓名="李建国", 联系电话="1381234")]
    response = staff_client.post(IMPORT, {"file": xlsx(rows)})
    [(row, column, message)] = errors_of(response)
    assert (row, column) == (3, "联系电话")
    assert "“1381234”不是有效的手机号码" in message


def test_error_table_is_shown_on_the_page(staff_client):
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(联系电话="12345")])})
    assert response.status_code == 200
    assert "没有导入任何心愿" in response.content.decode()
    assert "<td>“12345”不是有效的手机号码" in response.content.decode()


def test_unknown_category_lists_the_ones_that_exist(staff_client):
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(类别="火星物资")])})
    [(row, column, message)] = errors_of(response)
    assert (row, column) == (2, "类别")
    assert message.startswith("没有“火星物资”这个类别，请填写：生活物资、")


def test_inactive_category_is_refused(staff_client):
    CategoryFactory(name="旧类别", is_active=False)
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(类别="旧类别")])})
    assert "已停用" in errors_of(response)[0][2]


def test_grid_of_another_community_is_refused(staff_client, other_community):
    GridFactory(community=other_community, name="新兴第一网格")
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(网格="新兴第一网格")])})
    assert errors_of(response) == [
        (2, "网格", "“新兴第一网格”不是福阳社区的网格。福阳社区的网格有：明珠花园第二网格。")
    ]


def test_community_the_uploader_does_not_manage_is_refused(staff_client, other_community):
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(社区="新兴社区", 网格="")])})
    assert errors_of(response) == [
        (2, "社区", "“新兴社区”不是您负责的社区。您可以导入的社区：福阳社区。")
    ]
    assert not Wish.objects.exists()


def test_street_admin_imports_into_each_of_their_communities(
    login, street_admin, street, category, grid
):
    CommunityFactory(street=street, name="龙山社区")
    rows = [good_row(), good_row(社区="龙山社区", 网格="", 居民姓名="李建国")]
    login(street_admin).post(IMPORT, {"file": xlsx(rows)})
    assert sorted(Wish.objects.values_list("community__name", flat=True)) == [
        "福阳社区",
        "龙山社区",
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("居民姓名", "", "必须填写。"),
        ("心愿标题", "长" * 101, "最多100个字，现在有101个字。"),
        ("性别", "未知", "“未知”不是可选的值，请填写：女、男。"),
        ("紧急程度", "很急", "“很急”不是可选的值，请填写：紧急、普通。"),
        ("同意公开", "可以", "“可以”不是可选的值，请填写：是、否。"),
        ("预估价值（元）", -5, "不能是负数。"),
        ("预估价值（元）", "一百", "“一百”不是数字，请填写如 120 或 99.5。"),
        ("期望完成日期", "2026-02-30",
         "“2026-02-30”不是有效的日期，请填写如 2026-12-31 或 2026/12/31。"),
    ],
)  # fmt: skip
def test_each_bad_cell_is_explained(staff_client, column, value, message):
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(**{column: value})])})
    assert errors_of(response) == [(2, column, message)]


def test_nothing_is_saved_when_one_row_of_many_is_bad(staff_client):
    rows = [good_row(居民姓名=f"居民{n}") for n in range(10)]
    rows[7]["类别"] = "火星物资"
    response = staff_client.post(IMPORT, {"file": xlsx(rows)})
    assert response.status_code == 200
    assert not Wish.objects.exists()
    assert not Resident.objects.filter(name__startswith="居民").exists()


def test_errors_of_every_row_are_reported_at_once(staff_client):
    rows = [good_row(联系电话="123"), good_row(居民姓名="李建国", 类别="火星物资", 心愿描述="")]
    response = staff_client.post(IMPORT, {"file": xlsx(rows)})
    assert [(row, column) for row, column, _ in errors_of(response)] == [
        (2, "联系电话"),
        (3, "类别"),
        (3, "心愿描述"),
    ]


def test_uploading_the_same_file_twice_imports_it_once(staff_client):
    upload = workbook_bytes([good_row()])
    staff_client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", upload)})
    response = staff_client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", upload)})
    assert "不要重复导入" in errors_of(response)[0][2]
    assert Wish.objects.count() == 1


def test_file_with_headers_but_no_rows_is_a_clear_error(staff_client):
    response = staff_client.post(IMPORT, {"file": xlsx([])})
    assert "文件里没有心愿数据" in file_error(response)


def test_workbook_with_nothing_at_all_is_a_clear_error(staff_client):
    response = staff_client.post(IMPORT, {"file": xlsx([], headers=[])})
    assert "文件里没有心愿数据" in file_error(response)


def test_text_file_renamed_xlsx_is_a_clear_error_not_a_500(staff_client):
    fake = SimpleUploadedFile("心愿.xlsx", "社区,居民姓名\n福阳社区,王秀英\n".encode())
    response = staff_client.post(IMPORT, {"file": fake})
    assert response.status_code == 200
    assert "无法读取这个文件" in file_error(response)


def test_corrupted_zip_is_a_clear_error(staff_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not really>")
    response = staff_client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
    assert "无法读取这个文件" in file_error(response)


def test_truncated_xlsx_is_a_clear_error(staff_client):
    data = workbook_bytes([good_row()])
    response = staff_client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", data[:-200])})
    assert "无法读取这个文件" in file_error(response)


def test_other_file_types_are_refused_by_name(staff_client):
    response = staff_client.post(IMPORT, {"file": xlsx([good_row()], name="心愿.xls")})
    assert "只能上传 .xlsx" in file_error(response)


def test_files_over_5_mb_are_refused(staff_client):
    big = SimpleUploadedFile("big.xlsx", b"0" * (spreadsheets.MAX_UPLOAD_BYTES + 1))
    response = staff_client.post(IMPORT, {"file": big})
    assert "文件太大了" in file_error(response)


def test_more_than_2000_rows_are_refused(staff_client, monkeypatch):
    monkeypatch.setattr(spreadsheets.reading, "MAX_ROWS", 3)
    rows = [good_row(居民姓名=f"居民{n}") for n in range(4)]
    response = staff_client.post(IMPORT, {"file": xlsx(rows)})
    assert "一次最多导入3行心愿" in file_error(response)


def test_posting_without_a_file_asks_for_one(staff_client):
    response = staff_client.post(IMPORT, {})
    assert "请选择要上传的 Excel 文件" in file_error(response)


# ----- exporting --------------------------------------------------------------------------

EXPORT_HEADERS = [
    "编号", "社区", "网格", "心愿标题", "类别", "类型", "紧急程度", "状态", "心愿人", "联系电话",
    "住址", "征集渠道", "提交时间", "认领人/单位", "兑现时间", "确认时间",
]  # fmt: skip


def rows_of(response) -> list[list]:
    sheet = read(response).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_wishes_has_the_columns_and_only_own_communities(
    staff_client, community, other_community, grid, volunteer
):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 1, 30, tzinfo=datetime.UTC)):
        wish = WishFactory(community=community, grid=grid, claimer=volunteer, claimed=True)
    WishFactory(community=other_community, title="别的社区的心愿")
    response = staff_client.get(reverse("staff:export_wishes"))
    header, *rows = rows_of(response)
    resident = wish.resident
    assert header == EXPORT_HEADERS
    assert rows == [
        [
            wish.pk, "福阳社区", "明珠花园第二网格", wish.title, "生活物资", "个人心愿", "普通",
            "认领中", resident.name, resident.phone, resident.address, "网上申报",
            datetime.datetime(2026, 11, 25, 9, 30), volunteer.display_name, None, None,
        ]
    ]  # fmt: skip


def test_export_leaves_out_the_household_situation(staff_client, community):
    WishFactory(community=community)
    content = str(rows_of(staff_client.get(reverse("staff:export_wishes"))))
    assert "低保户，独自照顾患病的老伴" not in content


def test_export_wishes_follows_status_and_keyword_filters(staff_client, community):
    WishFactory(community=community, title="冬天的厚棉被", approved=True)
    WishFactory(community=community, title="冬天的棉鞋")
    WishFactory(community=community, title="修好楼道灯", approved=True)
    response = staff_client.get(reverse("staff:export_wishes"), {"status": "approved", "q": "冬天"})
    assert [row[3] for row in rows_of(response)[1:]] == ["冬天的厚棉被"]


def test_street_admin_exports_one_picked_community(login, street_admin, street, community):
    longshan = CommunityFactory(street=street, name="龙山社区")
    WishFactory(community=community)
    WishFactory(community=longshan, title="龙山的心愿")
    response = login(street_admin).get(reverse("staff:export_wishes"), {"community": longshan.pk})
    assert [row[3] for row in rows_of(response)[1:]] == ["龙山的心愿"]


def test_export_file_name_is_ascii_with_a_chinese_alternative(staff_client):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 4, 0, tzinfo=datetime.UTC)):
        response = staff_client.get(reverse("staff:export_wishes"))
    assert response["Content-Disposition"] == (
        'attachment; filename="wishes-2026-11-25.xlsx"; '
        "filename*=UTF-8''%E5%BF%83%E6%84%BF-2026-11-25.xlsx"
    )


@pytest.mark.parametrize(
    "title",
    [
        '=HYPERLINK("http://example.com","点我")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_looks_like_a_formula_is_exported_as_text(staff_client, community, title):
    """Formula injection (OWASP): a cell starting =, +, -, @, tab or CR is text, marked with
    the quote prefix so it stays text when edited, and says exactly what was typed."""
    WishFactory(community=community, title=title)
    sheet = read(staff_client.get(reverse("staff:export_wishes"))).worksheets[0]
    cell = sheet["D2"]
    # (XML reads a carriage return back as a line feed.)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (title.replace("\r", "\n"), "s", True)


def test_ordinary_text_has_no_quote_prefix(staff_client, community):
    WishFactory(community=community, title="一袋大米")
    cell = read(staff_client.get(reverse("staff:export_wishes"))).worksheets[0]["D2"]
    assert (cell.value, cell.quotePrefix) == ("一袋大米", False)


def test_export_wishes_takes_the_same_queries_for_many_rows(
    staff_client, community, django_assert_max_num_queries
):
    for _ in range(5):
        WishFactory(community=community, claimed=True)
    # session, user, staff role, wishes, their claims, the access log (one insert for all rows)
    with django_assert_max_num_queries(6):
        staff_client.get(reverse("staff:export_wishes"))


def test_export_volunteers_takes_the_same_queries_for_many_rows(
    staff_client, community, django_assert_max_num_queries
):
    for _ in range(5):
        WishFactory(community=community, claimer=make_volunteer(community), fulfilled=True)
    # session, user, staff role, registrations with their counts
    with django_assert_max_num_queries(4):
        staff_client.get(reverse("staff:export_volunteers"))


def test_export_volunteers_of_own_communities_with_their_counts(
    staff_client, community, other_community, organisation, member
):
    WishFactory(community=community, claimer=member, fulfilled=True)
    WishFactory(community=community, claimer=member, claimed=True)
    make_volunteer(other_community, username="elsewhere")
    response = staff_client.get(reverse("staff:export_volunteers"))
    header, *rows = rows_of(response)
    assert header == [
        "姓名", "手机号", "党员", "单位/党支部", "报到社区", "报到状态", "报到时间", "认领次数",
        "兑现次数",
    ]  # fmt: skip
    member_row = next(row for row in rows if row[0] == member.display_name)
    assert member_row[1:6] + member_row[7:] == [
        member.phone, "是", "市税务局稽查局党支部", "福阳社区", "已通过", 2, 1,
    ]  # fmt: skip
    assert len(rows) == 1  # not the volunteer of 新兴社区


# ----- who may ----------------------------------------------------------------------------

URLS = ["staff:import", "staff:import_template", "staff:export_wishes", "staff:export_volunteers"]


@pytest.mark.parametrize("name", URLS)
def test_non_staff_get_403(login, resident, name):
    assert login(resident).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", URLS)
def test_anonymous_visitors_are_sent_to_log_in(anon, db, name):
    response = anon.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_non_staff_cannot_upload(login, resident, category):
    response = login(resident).post(IMPORT, {"file": xlsx([good_row()])})
    assert response.status_code == 403
    assert not Wish.objects.exists()


# ----- submission dates: the list and the export -------------------------------------------

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
EXPORT = reverse("staff:export_wishes")
LIST = reverse("staff:wishes")


@pytest.fixture
def july(community):
    """Wishes submitted either side of July 2026's first and last midnight, Beijing time."""
    moments = {
        "六月最后一刻": datetime.datetime(2026, 6, 30, 23, 59, tzinfo=BEIJING),
        "七月第一刻": datetime.datetime(2026, 7, 1, 0, 0, tzinfo=BEIJING),
        "七月最后一晚": datetime.datetime(2026, 7, 31, 23, 30, tzinfo=BEIJING),
        "八月第一刻": datetime.datetime(2026, 8, 1, 0, 0, tzinfo=BEIJING),
    }
    for title, moment in moments.items():
        with time_machine.travel(moment, tick=False):
            WishFactory(community=community, title=title)


def exported_titles(response) -> set[str]:
    return {row[3] for row in rows_of(response)[1:]}


def listed_titles(response) -> set[str]:
    return {wish.title for wish in response.context["wishes"]}


def test_export_takes_the_days_submitted_both_included(staff_client, july):
    response = staff_client.get(
        EXPORT, {"submitted_from": "2026-07-01", "submitted_to": "2026-07-31"}
    )

    assert exported_titles(response) == {"七月第一刻", "七月最后一晚"}


def test_a_wish_at_half_past_eleven_at_night_on_the_end_date_is_exported(staff_client, july):
    response = staff_client.get(EXPORT, {"submitted_to": "2026-07-31"})

    assert exported_titles(response) == {"六月最后一刻", "七月第一刻", "七月最后一晚"}


def test_export_from_a_date_on(staff_client, july):
    response = staff_client.get(EXPORT, {"submitted_from": "2026-07-31"})

    assert exported_titles(response) == {"七月最后一晚", "八月第一刻"}


def test_one_day_is_a_range_from_and_to_the_same_date(staff_client, july):
    response = staff_client.get(
        EXPORT, {"submitted_from": "2026-06-30", "submitted_to": "2026-06-30"}
    )

    assert exported_titles(response) == {"六月最后一刻"}


def test_the_list_shows_what_the_export_exports(staff_client, july):
    dates = {"submitted_from": "2026-07-01", "submitted_to": "2026-07-31", "q": "七月"}

    listed = staff_client.get(LIST, dates)

    assert listed_titles(listed) == exported_titles(staff_client.get(EXPORT, dates))
    assert 'type="date"' in listed.text
    # 导出Excel sends the list's own form, which holds the filter as shown.
    assert f'formaction="{EXPORT}"' in listed.text
    for name, value in dates.items():
        assert f'name="{name}"' in listed.text and f'value="{value}"' in listed.text


def test_a_start_after_the_end_is_a_form_error_and_keeps_the_dates(staff_client, july):
    response = staff_client.get(
        LIST, {"submitted_from": "2026-08-01", "submitted_to": "2026-07-01"}
    )

    assert response.status_code == 200
    assert "开始日期 2026-08-01 晚于结束日期 2026-07-01，请重新选择。" in response.text
    assert 'value="2026-08-01"' in response.text and 'value="2026-07-01"' in response.text


def test_a_bad_date_is_a_form_error_and_keeps_what_was_typed(staff_client, july):
    response = staff_client.get(LIST, {"submitted_from": "2026-13-45"})

    assert response.status_code == 200
    assert "请按“年-月-日”填写日期，例如 2026-07-01。" in response.text
    assert 'value="2026-13-45"' in response.text


def test_the_list_leaves_a_bad_date_out_and_keeps_the_other_filters(staff_client, july):
    response = staff_client.get(LIST, {"submitted_from": "明天", "q": "七月"})

    assert listed_titles(response) == {"七月第一刻", "七月最后一晚"}


def test_exporting_with_bad_dates_goes_back_to_the_list_instead_of_a_file(staff_client, july):
    query = {"submitted_from": "2026-08-01", "submitted_to": "2026-07-01", "status": "submitted"}

    response = staff_client.get(EXPORT, query)

    assert response.status_code == 302
    assert (
        response.url == f"{LIST}?submitted_from=2026-08-01&submitted_to=2026-07-01&status=submitted"
    )
    assert any("日期有误，没有导出" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_no_500(staff_client, july, day):
    both = {"submitted_from": day, "submitted_to": day}
    assert staff_client.get(EXPORT, {"submitted_from": day}).status_code == 200
    assert staff_client.get(EXPORT, {"submitted_to": day}).status_code == 200
    assert staff_client.get(LIST, both).status_code == 200


def test_an_imported_formula_is_kept_as_its_text(staff_client):
    formula = '=HYPERLINK("http://example.com","一袋大米")'
    response = staff_client.post(IMPORT, {"file": xlsx([good_row(心愿标题=formula)])})
    assert response.status_code == 302
    assert Wish.objects.get().title == formula
