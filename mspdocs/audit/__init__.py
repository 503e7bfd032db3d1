"""The owner's audit: the six lessons per customer, its reports (text, JSON, HTML, Word), and the binder."""
