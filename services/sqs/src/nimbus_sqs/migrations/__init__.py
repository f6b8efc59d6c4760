"""Versioned SQL migrations of the sqs service (NNNN_name.sql), applied at start."""
