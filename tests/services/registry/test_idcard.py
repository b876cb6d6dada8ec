"""Resident ID numbers: validation, sex and birth date, masking."""

import datetime

from desktop.services.registry.idcard import check_id, make_id, mask_id, normalize_id


def test_a_valid_id_gives_sex_and_birth_date():
    number = make_id("441521", datetime.date(1995, 6, 30), 123)
    check = check_id(number)
    assert check.ok and not check.warnings
    assert check.sex == "男"  # odd sequence digit
    assert check.birth_date == datetime.date(1995, 6, 30)


def test_dirty_input_is_normalised_safely():
    number = make_id("441521", datetime.date(1990, 1, 1), 1)  # ends in X
    assert number.endswith("X")
    messy = " " + number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x　"
    assert normalize_id(messy) == number
    assert check_id(messy).ok


def test_wrong_check_digit_and_impossible_date_are_errors():
    good = make_id("441521", datetime.date(1990, 1, 1), 2)
    bad_digit = good[:-1] + ("1" if good[-1] != "1" else "2")
    assert "校验码" in check_id(bad_digit).errors[0]
    body = "44152119900230002"  # 30 February
    assert "出生日期" in check_id(body + "0").errors[0]
    assert "18位" in check_id("4415211990").errors[0]


def test_unknown_region_and_old_ids_only_warn():
    unknown = make_id("999999", datetime.date(1990, 1, 1), 4)
    check = check_id(unknown)
    assert check.ok and "地区码" in check.warnings[0]
    old = check_id("441521900101123")
    assert old.ok and "15位" in old.warnings[0]
    assert old.birth_date == datetime.date(1990, 1, 1)


def test_a_code_in_use_since_after_the_birth_is_not_questioned():
    """桃江县 is 430922 since 1994; its adults born before then carry it on their IDs."""
    for born in (datetime.date(1950, 3, 1), datetime.date(1985, 7, 9), datetime.date(2001, 2, 3)):
        check = check_id(make_id("430922", born, 17))
        assert check.ok and not check.warnings, (born, check.warnings)
    # A code never in use from the birth year to today is still questioned.
    assert "地区码" in check_id(make_id("999999", datetime.date(1950, 3, 1), 4)).warnings[0]


def test_mask_keeps_first_six_and_last_four():
    assert mask_id("430922199001011234") == "430922********1234"


def test_the_fast_check_agrees_with_check_id():
    from desktop.services.registry.idcard import valid_id_sex

    good = [make_id("441521", datetime.date(1990 + i, 1 + i, 1 + i), i) for i in range(10)]
    bad = [g[:-1] + ("0" if g[-1] != "0" else "1") for g in good]
    samples = [*good, *bad, "44152119900230002X", "441521900101123", "4415211990", "", "ABC"]
    for number in samples:
        check = check_id(number)
        assert valid_id_sex(check.number) == (check.sex if check.ok else ""), number
