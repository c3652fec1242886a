"""Differential testing: the reference model as the oracle for a market contract (issue: spec/vectors.md)."""
