"""The conformance checks themselves: no false alarms on strategies that finish early."""

from nondiff.conformance import _sphere_objective, check_interrupt_then_resume
from nondiff.minimize import minimize
from nondiff.space import Integer, Space


def test_interrupt_check_accepts_a_strategy_that_converges_before_the_interruption():
    space = Space(a=Integer(0, 10))
    early = minimize(_sphere_objective(space), space, "nelder-mead", budget=60, seed=11)
    assert early.nfev < 23  # converges before the check's Ctrl-C would come
    check_interrupt_then_resume("nelder-mead", space)
