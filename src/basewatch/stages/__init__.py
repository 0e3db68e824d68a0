"""Pipeline stages over the store: one stage per module, tables between them."""
