"""nondiff's optimizers, one module per family, each behind the Strategy protocol.

Importing this package loads nothing heavy: strategies are found by name through the
``nondiff.strategies`` entry-point group (see :mod:`nondiff.registry`).
"""
