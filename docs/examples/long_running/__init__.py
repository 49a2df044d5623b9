"""The runnable examples of the "Long-running runbooks" guide (``docs/guide/long-running.rst``).

One module per feature, each with its workflow, its activities and a short
driver that runs it through a client of any engine
(:func:`ntro.runtime.protocol.open_client`). ``tests/docs/test_long_running_examples.py``
runs every driver on LocalRuntime, and on Temporal's time-skipping test
server when temporalio is installed, and checks what the guide says they return.
"""
