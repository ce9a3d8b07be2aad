"""Loaders: one per input format. Each turns files into ``RawResource``s (evaluated
properties with their lines); ``terraform_model`` / ``cloudformation_model`` map those
onto ``scanner.model``. Nothing here runs Terraform, executes template code or opens a
network connection."""
