import datetime

from desktop.dates import chinese_date


def test_a_date_is_written_as_chinese_documents_write_it():
    day = datetime.date(2020, 5, 9)
    assert chinese_date(day) == "2020年5月9日"
    assert chinese_date(day, padded=True) == "2020年05月09日"
    assert chinese_date(datetime.date(2018, 12, 31), padded=True) == "2018年12月31日"
