"""Draws the default Word templates: WordprocessingML helpers, the house style, one module per template."""
