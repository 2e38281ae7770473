"""powerlab._text: the shared plain-text renderings."""

from powerlab._text import rate_se_text


def test_rate_with_and_without_standard_error() -> None:
    assert rate_se_text([0.0625, 0.031]) == "0.06 ± 0.03"
    assert rate_se_text([1.0, None]) == "1.00"


def test_missing_rate_is_a_dash() -> None:
    assert rate_se_text(None) == "-"
    assert rate_se_text([None, None]) == "-"
