"""EcoHotline: the 接诉即办 complaint-handling platform of a district Ecology and Environment Bureau."""

__version__ = "0.1.0"
