"""The ``nondiff`` command-line application (click), one module per subcommand.

Importing this package or :mod:`cli.main` loads click only; numpy, the driver and the
strategies are imported inside the command functions, so ``nondiff --help`` starts fast.
"""
