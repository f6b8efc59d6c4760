"""The IAM policy engine: parse policy documents and evaluate requests as AWS does. Pure: no I/O."""
