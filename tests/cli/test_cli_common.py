"""The CLI's one number parser: the nearest float to the number written, refusals in one line."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerlab.cli._common import MAX_NUMBER_CHARS, parse_gamma, parse_number
from powerlab.errors import InputError


@given(p=st.integers(-(10**30), 10**30), q=st.integers(1, 10**30))
def test_fractions_round_once_to_the_nearest_float(p: int, q: int) -> None:
    """``p/q`` is read as float(Fraction(p, q)): integer true division is correctly rounded."""
    assert parse_number(f"{p}/{q}", "--x") == float(Fraction(p, q))


@given(
    mantissa=st.decimals(min_value=-(10**6), max_value=10**6, places=12),
    exponent=st.integers(-300, 300),
)
def test_decimals_round_once_to_the_nearest_float(mantissa, exponent: int) -> None:
    text = f"{mantissa:f}e{exponent}"
    exact = Fraction(text)
    if exact != 0 and abs(exact) < Fraction(1, 10**300):
        return  # subnormal range: covered by the refusal test below when it rounds to 0
    assert parse_number(text, "--x") == float(exact)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e400", "too large for a float"),
        ("-1e400", "too large for a float"),
        ("1e-400", "too small for a float"),
        ("1e-100000000", "too small for a float"),
        ("1/" + "0" * 5, "not a number"),
        ("nan", "not a number"),
        ("1,5", "not a number"),
        ("9" * (MAX_NUMBER_CHARS + 1), f"at most {MAX_NUMBER_CHARS}"),
    ],
)
def test_refusals_name_the_flag(text: str, message: str) -> None:
    with pytest.raises(InputError, match=f"^--x: .*{message}"):
        parse_number(text, "--x")


def test_zero_is_zero_and_bounds_are_as_asked() -> None:
    assert parse_number("0e-100000000", "--x") == 0.0
    assert parse_gamma("0") == 0.0 and parse_gamma("1") == 1.0
    with pytest.raises(InputError, match=r"outside \(0, 1\)"):
        parse_gamma("0", open_low=True, open_high=True)
    with pytest.raises(InputError, match=r"--discount: 1\.5 is outside \[0, 1\]"):
        parse_gamma("1.5", "--discount")
