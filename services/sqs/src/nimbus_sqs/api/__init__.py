"""The SQS API, one module per family of operations; service.py merges their tables."""
