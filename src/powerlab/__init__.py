"""powerlab: the formal theory of power-seeking, made executable.

The subpackages, lowest layer first (each imports only those before it): ``mdp``, ``power``,
``retarget``, ``goals``, ``agents``, ``games``, ``multiagent``, ``forecast``, ``imitation``,
``nets``, ``lowstakes``, ``sweep``; ``report`` and ``cli`` sit on top. Importing ``powerlab``
imports none of them.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
