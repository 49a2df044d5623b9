"""The conformance suite's support package: focused workflows, activity spies, engines and the driver.

It is a real importable package (``tests/conformance/support`` is put on
``sys.path``) because the Temporal sandbox re-imports workflow modules by name.
"""
