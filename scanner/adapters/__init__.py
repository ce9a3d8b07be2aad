"""Adapters: each maps one format's evaluated resources (``RawResource``) onto the provider-neutral
``scanner.model``."""
