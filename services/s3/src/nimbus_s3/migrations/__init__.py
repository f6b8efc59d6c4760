"""Versioned SQL migrations of the s3 service (NNNN_name.sql), applied at start."""
