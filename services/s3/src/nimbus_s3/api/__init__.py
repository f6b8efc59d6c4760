"""The S3 API: one module per family of operations, each giving an OperationTable."""
