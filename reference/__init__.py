"""fairwatt's executable specification: frozen dataclasses and pure functions, the test oracle.

Read ``spec/`` for the rules; every clause there names the function here that implements it.
"""
