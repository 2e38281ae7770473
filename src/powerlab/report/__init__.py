"""Figures and the HTML report of ``powerlab demo``. Holds no mathematics."""
