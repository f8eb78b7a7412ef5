"""Phone and ID-card numbers typed into a wish are masked; everything else is left alone."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wishes.masking import has_sensitive_number, mask_numbers

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Speed is not what the properties check; a slow shared runner must not fail them.
PROPERTY = settings(deadline=None)


def with_check_char(first17: str) -> str:
    """An ID number: the 17 digits given plus their ISO 7064 MOD 11-2 check character."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(char) * weight for char, weight in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def with_wrong_check_char(first17: str) -> str:
    right = with_check_char(first17)[-1]
    return first17 + ("0" if right != "0" else "1")


VALID_ID = with_check_char("11010519491231002")


def test_the_check_char_helper_agrees_with_the_well_known_sample_id():
    assert VALID_ID == "11010519491231002X"


# --- mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话是13812345678，请联系我", "我的电话是138****5678，请联系我"),
        ("手机：19987654321", "手机：199****4321"),
        ("联系人王阿姨15900001111或者她儿子", "联系人王阿姨159****1111或者她儿子"),
        ("请打138 1234 5678找我", "请打138****5678找我"),
        ("请打138-1234-5678找我", "请打138****5678找我"),
        ("号码+8613812345678", "号码+86138****5678"),
        ("号码+86 138 1234 5678", "号码+86 138****5678"),
        ("号码 8613812345678", "号码 86138****5678"),
        ("号码(+86)13812345678", "号码(+86)138****5678"),
        ("号码（+86）138-1234-5678", "号码（+86）138****5678"),
        ("电话１３８１２３４５６７８谢谢", "电话１３８****５６７８谢谢"),
        ("13812345678", "138****5678"),
        ("先打13812345678，不通再打13987654321", "先打138****5678，不通再打139****4321"),
    ],
)
def test_mobile_numbers_keep_the_first_three_and_last_four_digits(text, masked):
    assert mask_numbers(text) == masked
    assert has_sensitive_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "编号12812345678",  # 12x is not a mobile prefix
        "订单1381234567",  # ten digits
        "流水号13812345678901",  # a longer run that merely starts like a mobile
        "流水号99913812345678",
        "138 1234-5678",  # mixed separators are not one number
    ],
)
def test_digit_runs_that_are_not_mobiles_are_left_alone(text):
    assert mask_numbers(text) == text
    assert not has_sensitive_number(text)


# --- landlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("社区座机0437-1234567，工作日有人", "社区座机0437-****67，工作日有人"),
        ("打0437 12345678", "打0437 ****78"),
        ("打04371234567", "打0437****67"),
        ("北京的亲戚010-87654321", "北京的亲戚010-****21"),
        ("广州02087654321", "广州020****21"),
        ("居委会（0437）1234567", "居委会（0437）****67"),
        ("居委会(0437)1234567", "居委会(0437)****67"),
        ("居委会(0437) 1234567", "居委会(0437) ****67"),
        ("物业0437-1234567-123", "物业0437-****67-123"),
        ("物业0437-1234567转8021，找李师傅", "物业0437-****67转8021，找李师傅"),
        ("物业（０４３７）１２３４５６７", "物业（０４３７）****６７"),
    ],
)
def test_landlines_keep_the_area_code_and_the_last_two_digits(text, masked):
    assert mask_numbers(text) == masked
    assert has_sensitive_number(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("家里电话5123456", "家里电话****56"),
        ("电话：5123456", "电话：****56"),
        ("电话: 51234567", "电话: ****67"),
        ("手机 5123456", "手机 ****56"),
        ("座机号码：5123456", "座机号码：****56"),
        ("联系方式：5123456，下午在家", "联系方式：****56，下午在家"),
        ("tel 5123456", "tel ****56"),
        ("Tel:5123456", "Tel:****56"),
        ("TEL：５１２３４５６", "TEL：****５６"),
    ],
)
def test_a_local_number_right_after_a_phone_keyword_keeps_its_last_two_digits(text, masked):
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "需要5123456份",  # no phone keyword
        "电话费5123456元",  # the keyword does not directly precede the number
        "Hotel5123456",  # "tel" inside a word
        "电话512345",  # six digits
        "电话512345678",  # nine digits
    ],
)
def test_a_local_number_without_a_keyword_right_before_it_is_left_alone(text):
    assert mask_numbers(text) == text


# --- ID cards ---------------------------------------------------------------------------------


def test_a_valid_id_number_keeps_the_first_three_and_last_two_characters():
    text = f"我的身份证号是{VALID_ID}，麻烦核对"
    assert mask_numbers(text) == "我的身份证号是110*************2X，麻烦核对"
    assert has_sensitive_number(text)


def test_masking_an_id_keeps_its_length():
    assert len(mask_numbers(VALID_ID)) == len(VALID_ID) == 18


def test_an_id_with_a_lower_case_x_is_masked():
    assert mask_numbers("身份证" + VALID_ID.lower()) == "身份证110*************2x"


def test_an_id_ending_in_a_digit_is_masked():
    number = with_check_char("22010219800101123")
    assert number[-1].isdigit()
    assert mask_numbers(f"证件号：{number}") == f"证件号：220*************{number[-2:]}"


def test_an_id_written_in_full_width_digits_is_masked():
    number = VALID_ID.translate(FULL_WIDTH)
    assert mask_numbers(number) == "１１０*************２X"


def test_an_eighteen_digit_run_with_a_wrong_checksum_is_left_alone():
    # Not even partly masked as a phone, although it contains "13812345678".
    text = "快递单号" + with_wrong_check_char("91381234567820011")
    assert mask_numbers(text) == text
    text = "快递单号" + with_wrong_check_char("11010519491231002")
    assert mask_numbers(text) == text
    assert not has_sensitive_number(text)


@pytest.mark.parametrize(
    "first17",
    [
        "11010518991231002",  # born 1899
        "11010519491331002",  # month 13
        "11010520230229002",  # 29 February in a non-leap year
        f"110105{dt.date.today().year + 1}0101002",  # born next year
    ],
)
def test_a_valid_checksum_with_an_impossible_birth_date_is_not_an_id(first17):
    text = "编号" + with_check_char(first17)
    assert mask_numbers(text) == text


def test_a_leap_day_birth_date_is_an_id():
    assert mask_numbers(with_check_char("11010520000229002")).startswith("110***")


def test_an_old_fifteen_digit_id_keeps_the_first_three_and_last_two_digits():
    assert mask_numbers("老身份证110105491231002") == "老身份证110**********02"


@pytest.mark.parametrize("number", ["110105491331002", "110105490230002"])
def test_a_fifteen_digit_run_with_an_impossible_date_is_left_alone(number):
    assert mask_numbers(f"编号{number}") == f"编号{number}"


# --- everything else --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "希望在2026-11-30之前送到",
        "2026年11月30日下午3点",
        "想要一台500元左右的电饭煲",
        "需要2袋大米，每袋10公斤",
        "住在3号楼2单元101室",
        "1949年出生的老党员",
        "订单号202611300001",  # 12 digits
        "订单号1234567890123456789",  # 19 digits
        "流水号123456789012",  # 12 digits
        "编号12345678901",  # 11 digits, not a mobile prefix
        "合计12345678元",  # 8 digits with no phone keyword
        "邮编130000，长春市",
        "价格¥1,380.00",
        "",
    ],
)
def test_dates_prices_quantities_and_other_numbers_are_left_alone(text):
    assert mask_numbers(text) == text
    assert not has_sensitive_number(text)


def test_none_gives_an_empty_string():
    assert mask_numbers(None) == ""  # type: ignore[arg-type]
    assert not has_sensitive_number(None)  # type: ignore[arg-type]


def test_every_number_in_a_long_description_is_masked():
    text = (
        f"我是独居老人，身份证{VALID_ID}，手机13812345678，"
        "家里座机0437-1234567，社区电话5123456，希望在2026-11-30前收到一台500元的收音机。"
    )
    assert mask_numbers(text) == (
        "我是独居老人，身份证110*************2X，手机138****5678，"
        "家里座机0437-****67，社区电话****56，希望在2026-11-30前收到一台500元的收音机。"
    )


# --- properties -------------------------------------------------------------------------------

# Text built mostly from the characters the patterns care about, so odd combinations turn up.
NUMBERISH = st.text(
    alphabet="0123456789０１２３４５６７８９ -－+＋()（）转电话手机Tel：:Xx*号码\u3000",
    max_size=60,
)
NON_DIGIT = st.characters(exclude_categories=["Nd"])
CHINESE_OR_ASCII = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_categories=["Nd"]),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(list("，。：；！？（）、电话手机座机联系方式")),
)


@PROPERTY
@given(st.one_of(st.text(), NUMBERISH))
def test_masking_never_raises_and_is_idempotent(text):
    once = mask_numbers(text)
    assert mask_numbers(once) == once
    assert has_sensitive_number(text) == (once != text)


@PROPERTY
@given(
    before=st.text(alphabet=CHINESE_OR_ASCII, max_size=20),
    after=st.text(alphabet=CHINESE_OR_ASCII, max_size=20),
    second=st.sampled_from("3456789"),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
    separator=st.sampled_from(["", " ", "-"]),
    prefix=st.sampled_from(["", "+86", "86", "+86 ", "86-", "(+86)", "（+86）"]),
    full_width=st.booleans(),
)
def test_an_embedded_mobile_number_never_survives(
    before, after, second, rest, separator, prefix, full_width
):
    digits = "1" + second + rest
    written = separator.join([digits[:3], digits[3:7], digits[7:]])
    if full_width:
        digits, written, prefix = (s.translate(FULL_WIDTH) for s in (digits, written, prefix))
    masked = mask_numbers(before + prefix + written + after)
    assert digits not in masked
    assert masked == f"{before}{prefix}{digits[:3]}****{digits[7:]}{after}"


@PROPERTY
@given(st.text(alphabet=NON_DIGIT))
def test_text_without_digits_is_unchanged(text):
    assert mask_numbers(text) == text
    assert not has_sensitive_number(text)


def test_a_mobile_number_after_a_landline_extension_word_is_still_masked():
    # Found by property testing: "转138" once passed for an extension and hid the mobile.
    assert mask_numbers("（0437）1234567转138 1234 5678") == "（0437）****67转138****5678"
