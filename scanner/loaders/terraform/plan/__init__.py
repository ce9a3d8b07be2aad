"""``terraform show -json`` output -> a Configuration."""
