"""The attack library and its runner: fairness against a participant who reads the chain."""
