"""Symbolic execution of the reference model."""
