"""iacscan: an offline infrastructure-as-code exposure scanner for EC2 workloads."""

__version__ = "0.1.0"
