"""Evaluating Terraform expressions: the evaluator, the values it builds and the built-in functions."""
