"""fairwatt's Slither plugin (entry point ``slither_analyzer.plugin``): the CEI detector."""

from verify.slither_plugin.cei import ChecksEffectsInteractions


def make_plugin():
    """Slither's plugin hook: ``(detectors, printers)``."""
    return [ChecksEffectsInteractions], []
