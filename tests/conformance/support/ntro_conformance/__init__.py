"""The conformance suite's repository-only part: the cases on the example runbooks.

The machinery (scripts, the harness runner, outcomes) and the focused cases
ship in :mod:`ntro.testing.conformance`.
"""
