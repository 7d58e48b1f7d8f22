import pytest

from archive import dates


@pytest.mark.parametrize("value, lo, hi, approx", [
    ("2017-09-03", 20170903, 20170903, False),
    ("2018-07", 20180701, 20180731, False),
    ("1975/1979", 19750101, 19791231, False),
    ("1981~", 19810101, 19811231, True),
    ("197X", 19700101, 19791231, False),
    ("1950/..", 19500101, dates.LATEST, False),
    ("../1950", dates.EARLIEST, 19501231, False),
    ("1950/", 19500101, dates.LATEST, False),
])
def test_bounds(value, lo, hi, approx):
    assert dates.bounds(value) == dates.Bounds(lo, hi, approx)


@pytest.mark.parametrize("value", ["x", "2017-13-01", "1979/1975", "circa 1975", "2017-09-03T25:00"])
def test_invalid_dates_are_clear_errors(value):
    with pytest.raises(dates.DateError, match="EDTF|ends before"):
        dates.bounds(value)


def test_empty_is_none():
    assert dates.bounds(None) is None
    assert dates.bounds("  ") is None


@pytest.mark.parametrize("typed, offered", [("circa 1975", "1975~"), ("1975-1979", "1975/1979"),
                                            ("1975 – 1979", "1975/1979"),
                                            ("September 3, 2017", "2017-09-03"), ("2018-07", "2018-07"),
                                            ("no date here", None)])
def test_suggest(typed, offered):
    assert dates.suggest(typed) == offered


@pytest.mark.parametrize("value", ["1900-02-29", "2017-02-30", "2017-04-31"])
def test_days_that_do_not_exist_are_refused(value):
    with pytest.raises(dates.DateError, match="not a real day"):
        dates.bounds(value)


def test_simple_forms_agree_with_the_edtf_package():
    import edtf
    for value in ["1975", "2017-09-03", "2018-07", "1975/1979", "1981~", "2017-09~", "2000-02-29",
                  "2017-09-03/2017-09-05", "2018-07/2019", "1975~/1979?"]:
        parsed = edtf.parse_edtf(value)
        expected = (dates._day(parsed.lower_strict()), dates._day(parsed.upper_strict()))
        got = dates.bounds(value)
        assert (got.lo, got.hi) == expected, value
