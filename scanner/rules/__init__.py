"""The rules: one module per rule id (its catalogue text and its check), the registry that
lists them, the check context they read, and the generator of their documentation."""
