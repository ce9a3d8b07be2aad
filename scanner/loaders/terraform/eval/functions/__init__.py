"""Terraform's built-in functions, evaluated offline."""
