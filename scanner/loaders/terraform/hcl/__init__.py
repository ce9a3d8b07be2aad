"""HCL text -> a syntax tree whose every node knows its lines."""
