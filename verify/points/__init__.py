"""Power points and green certificates: driver, vectors and differential state machine (spec/points.md)."""
