"""The bilateral market and the energy accounts under verification: roles, driver, vectors, state machine."""
