"""Known answers: the tables printed in Davidson (2021), "Semi-informative priors over AI timelines".

The printed values below are those of the report as transcribed, cell by cell, in the authors'
reference repository (tadamcz/ai-timelines-priors, ``assertions.py``, "report value"), in percent.
Where that file says it changed a printed value (adding a digit), the value the report printed
is used here and compared at the number of significant figures it was printed with.

Cells where powerlab's numbers differ from the printed ones are listed in ``DISCREPANT`` and documented
in docs/forecast.md. Three of them are consistent with the report truncating instead of rounding
(checked below); two are not explained.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from powerlab.forecast import report_table, round_sig

# report-printed values, percent; None = discrepant cell handled separately
PRINTED: dict[str, list[list[float]]] = {
    "4.2": [[12], [8.9], [5.7], [4.2], [2.8], [1.5], [0.77], [0.52]],
    "5.2.3a": [[2, 1.6, 0.9], [4.1, 2.7, 1.2], [6.4, 3.6, 1.4], [8.9, 4.2, 1.5], [11, 4.7, 1.5],
               [13, 4.9, 1.6], [14, 5.1, 1.6]],
    # columns: VS=0.5 with 1/50, 1/100, 1/300, 1/1000; VS=1 with 1/100, 1/300, 1/1000
    "5.2.3b": [[39, 30, 13, 4.7, 34, 14, 4.8], [52, 43, 23, 8.7, 50, 25, 9.1],
               [7.6, 6.4, 3.6, 1.4, 8.9, 4.2, 1.5]],
    "5.3a": [[19, 12, 11, 3.7, 0.2], [12, 8.9, 8.4, 3.2, 0.2], [4.7, 4.2, 4.1, 2.3, 0.2],
             [1.5, 1.5, 1.5, 1.2, 0.2]],
    "5.3b": [[6.4, 5.3, 7.3, 20], [5.3, 4, 5, 8.9], [2.9, 2.7, 3.1, 4.2], [1.3, 1.2, 1.3, 1.4]],
    "6.1.2": [[11, 14, 16, 17, 18], [7.2, 11, 13, 15, 16], [3.2, 6, 8, 9.7, 11],
              [1.1, 2.3, 3.3, 4.4, 5.3]],
}  # fmt: skip

# cells printed with one significant figure
ONE_SIG = {("5.2.3a", 0, 2), ("5.3a", 0, 4), ("5.3a", 1, 4), ("5.3a", 2, 4), ("5.3a", 3, 4),
           ("6.1.2", 2, 1), ("6.1.2", 2, 2)}  # fmt: skip
# cells where the report appears to have truncated to 2 significant figures
TRUNCATED = {("5.3a", 1, 3), ("5.3a", 2, 0), ("5.3b", 3, 3)}
# cells we do not reproduce and cannot explain (see docs/forecast.md)
UNEXPLAINED = {("5.2.3b", 0, 0), ("5.2.3b", 1, 0), ("5.2.3b", 2, 0), ("5.3b", 1, 0)}
DISCREPANT = TRUNCATED | UNEXPLAINED


def _truncate_sig(x: float, sig: int = 2) -> float:
    e = math.floor(math.log10(abs(x))) - sig + 1
    return math.floor(x / 10**e) * 10**e


@pytest.mark.parametrize("key", sorted(PRINTED))
def test_table_matches_printed_digits(key: str) -> None:
    table = report_table(key)
    raw = [[100 * float(v) for v in row] for row in table.values]
    printed = PRINTED[key]
    assert [len(r) for r in raw] == [len(r) for r in printed]
    for i, row in enumerate(printed):
        for j, want in enumerate(row):
            cell = (key, i, j)
            if cell in UNEXPLAINED:
                continue
            if cell in TRUNCATED:
                assert round(_truncate_sig(raw[i][j]), 6) == want, cell
                assert round_sig(raw[i][j]) != want, f"{cell} now matches: remove from TRUNCATED"
                continue
            sig = 1 if cell in ONE_SIG else 2
            assert round_sig(raw[i][j], sig) == want, (cell, raw[i][j])


def test_table_5_2_2_exact_fractions() -> None:
    """Sec. 5.2.2 prints 1/600 ... 1/105 and 1/1100 ... 1/110; here they are exact."""
    t = report_table("5.2.2")
    assert t.values == [
        [Fraction(1, 600), Fraction(1, 200), Fraction(1, 150), Fraction(1, 125), Fraction(1, 105)],
        [Fraction(1, 1100), Fraction(1, 300), Fraction(1, 200), Fraction(1, 150), Fraction(1, 110)],
    ]


def test_calendar_headline_closed_form() -> None:
    """ftp 1/300, 1 VS, 64 failures (1956-2020), 16 trials: 16/(299 + 64 + 16) = 16/379."""
    t = report_table("4.2")
    assert t.values[3][0] == pytest.approx(16 / 379, rel=1e-9)


def test_all_things_considered_central_around_8_percent() -> None:
    """Davidson (2021) Sec. 1.1/8: central pr(AGI by 2036) "around 8%", range 1%-18%."""
    t = report_table("8")
    mixture = t.values[-1][2]
    assert round_sig(100 * float(mixture), 1) == 8
    assert 0.01 <= float(mixture) <= 0.18


def test_hyper_prior_tables_closed_form() -> None:
    """Table 7.3 with 1 VS: P_i(no AGI by 2020) = β/(β + 64) with β = 1/ftp − 1."""
    t = report_table("7.3")
    for row, ftp in zip(t.values, [1000, 300, 200, 100, 50, 20, 10], strict=True):
        beta = ftp - 1
        like = beta / (beta + 64)
        w_imp = 0.2 / (0.2 + 0.8 * like)
        p_rule = 16 / (beta + 64 + 16)
        assert row[2] == pytest.approx(w_imp, rel=1e-9)
        assert row[1] == pytest.approx((1 - w_imp) * p_rule, rel=1e-9)
        assert row[0] == pytest.approx(p_rule, rel=1e-9)


def test_remaining_tables_are_probabilities() -> None:
    for key in ("6.2.1", "6.2.3", "7.2.1", "A8", "A9"):
        t = report_table(key)
        for row in t.values:
            assert all(0.0 <= float(v) <= 1.0 for v in row)


def test_appendix_9_calendar_row_is_table_7_3() -> None:
    """A9's calendar-year row (ftp 1/300, 20% impossible) is 7.3's 1/300 row."""
    assert report_table("A9").values[0] == report_table("7.3").values[1]
