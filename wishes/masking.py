"""Mask phone and ID-card numbers that residents type into a wish's free text.

Only the resident, staff and the active claimer see the text as typed; everyone else sees it
through ``mask_numbers``. Digits may be ASCII or full-width: ``\\d`` matches both and ``int()``
reads both, so literal digits in the patterns below list their full-width twins too.
"""

import datetime as dt
import re

# Every candidate is a whole run of digits: a number is never masked from the middle of a
# longer run (an order number, or an 18-digit run whose checksum says it is not an ID).
_MOBILE = r"""
    (?:
        # The country code is kept as typed; it only needs its own boundary check because
        # "8613812345678" has a digit right before the "1".
        (?P<m_cc>(?<!\d)(?:[+＋]?[8８][6６]|[(（][+＋]?[8８][6６][)）])[ -]?)
      | (?<!\d)
    )
    (?P<m_head>[1１][3-9３-９]\d)
    (?P<m_sep>[ -]?)\d{4}(?P=m_sep)   # 3-4-4 groups, with the same separator both times
    (?P<m_tail>\d{4})
    (?!\d)
"""

# Chinese area codes are 010, 02x (both with 8-digit local numbers) or 0[3-9]xx, so an
# unseparated "04371234567" splits one way only. An extension ("-123", "转123") is left as typed:
# matching it would let "转138 1234 5678" hide a mobile number from the mobile rule.
_AREA = r"[0０](?:[1１][0０]|[2２]\d|[3-9３-９]\d\d)"
_LANDLINE = rf"""
    (?P<l_lead>
        [(（]{_AREA}[)）][ -]?
      | (?<!\d){_AREA}[- ]?
    )
    (?P<l_local>\d{{7,8}})(?!\d)
"""

# A bare local number is only recognisably a phone number right after a word that says so.
_KEYWORD_LOCAL = r"""
    (?P<k_lead>
        (?<![A-Za-z])(?:电话|手机|座机|联系方式|[Tt][Ee][Ll])(?:号码|号)?
        [ \u3000]?[:：]?[ \u3000]?
    )
    (?P<k_local>\d{7,8})(?!\d)
"""

_ID = r"""
    (?<!\d)(?:(?P<id18>\d{17}[\dXx])|(?P<id15>\d{15}))(?!\d)
"""

# One pass with every rule as an alternative: a run the ID rule rejects (wrong checksum, no real
# birth date) is returned as typed and never offered to the phone rules afterwards.
_NUMBER = re.compile(
    "|".join(f"(?:{part})" for part in (_ID, _MOBILE, _LANDLINE, _KEYWORD_LOCAL)),
    re.VERBOSE,
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def mask_numbers(text: str) -> str:
    """Residents sometimes type phone or ID-card numbers into a wish's title or description; this
    masks them for everyone but the resident, staff and the active claimer."""
    if not text:
        return ""
    return _NUMBER.sub(_mask_match, text)


# Three digits in a row are already part of a number worth hiding (a phone's middle, a birth
# year): a search by them is not offered where numbers are masked.
DIGIT_RUN = re.compile(r"\d{3,}")


def has_sensitive_number(text: str) -> bool:
    """True if ``mask_numbers`` would change anything in ``text``."""
    return bool(text) and mask_numbers(text) != text


def _mask_match(match: re.Match[str]) -> str:
    groups = match.groupdict()
    if groups["id18"] is not None:
        number = groups["id18"]
        return _mask_middle(number) if _is_id18(number) else number
    if groups["id15"] is not None:
        number = groups["id15"]
        return _mask_middle(number) if _is_id15(number) else number
    if groups["m_head"] is not None:
        return f"{groups['m_cc'] or ''}{groups['m_head']}****{groups['m_tail']}"
    if groups["l_local"] is not None:
        return f"{groups['l_lead']}****{groups['l_local'][-2:]}"
    return f"{groups['k_lead']}****{groups['k_local'][-2:]}"


def _mask_middle(number: str) -> str:
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def _is_id18(number: str) -> bool:
    total = sum(int(char) * weight for char, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK_CHARS[total % 11] != number[17].upper():
        return False
    return _is_birth_date(number[6:10], number[10:12], number[12:14])


def _is_id15(number: str) -> bool:
    # The old 15-digit cards were issued before 2000, so the two-digit year is always 19YY.
    return _is_birth_date("19" + number[6:8], number[8:10], number[10:12])


def _is_birth_date(year: str, month: str, day: str) -> bool:
    try:
        born = dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= born <= dt.date.today()
