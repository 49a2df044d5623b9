"""A stand-in for ntro 0.1.2's ``ntro.subledger``, which this SDK does not carry over.

This directory (``docs/examples/stand-ins``) holds ``ntro/subledger/`` and no
``ntro/__init__.py``, so on ``sys.path`` it joins the ``ntro`` namespace
beside the SDK's own modules.
"""
