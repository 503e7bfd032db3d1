"""mspdocs: an MSP's customer agreements and their evidence, from a reviewed clause library."""

__version__ = "0.1.0"
