"""Delivery evidence: RMM exports normalised, stored and compared with what the services promise."""
