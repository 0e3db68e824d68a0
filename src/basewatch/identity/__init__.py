"""Aircraft identity: country from the address block, imported aircraft databases, state and
military rules, watch lists, and the ``aircraft`` table that brings them together."""
