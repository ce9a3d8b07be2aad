"""Loaders: one per input format. Each turns files into ``RawResource``s (evaluated
properties with their lines); ``scanner.adapters`` maps those onto ``scanner.model``.
Nothing here runs Terraform, executes template code or opens a network connection."""
