"""powerlab: the formal theory of power-seeking, made executable."""

__version__ = "0.1.0"
