"""Exact, deterministic mentor–mentee assignment and vectorised pair scoring.

This package is the stable, framework-free core of the matching feature: it
imports only the standard library, numpy and OR-Tools (never Django nor another
app of the project; OR-Tools only when an assignment is solved, an import-linter
contract in ``pyproject.toml`` checks it), so it can be unit-tested and
benchmarked on its own.  It has two public halves:

:func:`score_pairs`
    turns per-person feature arrays (:class:`Features`) plus program rules
    (:class:`ScoringRules`) and criterion weights into a dense
    ``(mentees x mentors)`` score matrix, with one explaining matrix per
    criterion; hard constraints (see :func:`hard_constraint_masks`) show up as
    ``-inf``.

:func:`assign`
    turns such a score matrix plus mentor capacities into an assignment, with
    an exact (provably optimal) and deterministic solver.

Modules, by subject:

``inputs``       :class:`Features`, :class:`ScoringRules`, the criteria, input checks
``parts``        each criterion's part per pair
``tables``       parts computed once per distinct value (same bits as per row)
``constraints``  the hard constraints, :func:`hard_constraint_masks`
``scores``       :func:`score_pairs`, :func:`score_pairwise`
``assignment``   :func:`assign` and the objectives (exact definitions there)
``solver``       the pruned min-cost flow and its optimality certificates
``residual``     the residual graph of a flow (reachability, potentials)

The names below are the public API (``from matching.engine import assign``).
Tunables such as ``_ROW_K`` live in the module that uses them (``solver``,
``tables``): patch them there.
"""

from matching.engine.assignment import OBJECTIVES, assign
from matching.engine.constraints import hard_constraint_masks
from matching.engine.inputs import CRITERIA, IN_PERSON, REMOTE, Features, ScoringRules
from matching.engine.scores import PairScores, score_pairs, score_pairwise

__all__ = [
    "CRITERIA",
    "IN_PERSON",
    "OBJECTIVES",
    "REMOTE",
    "Features",
    "PairScores",
    "ScoringRules",
    "assign",
    "hard_constraint_masks",
    "score_pairwise",
    "score_pairs",
]
