"""Every verifier check lives below this package and is found by :func:`verify.registry.discover`."""
