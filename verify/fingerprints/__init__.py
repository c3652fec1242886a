"""Data fingerprints on chain: the driver, the vectors and the differential state machine (seed 000)."""
