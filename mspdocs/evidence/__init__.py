"""The evidence: the register and its verification, signature fields, signed copies received, the trust store."""
