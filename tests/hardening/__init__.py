"""Hostile inputs, crashes and faults: each attack named, each bounded in time and memory."""
