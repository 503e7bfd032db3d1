"""Quarterly business reviews: the record that one was held, when the next is due, agendas and packets."""
