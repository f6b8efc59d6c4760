"""Versioned SQL migrations of the iam service (NNNN_name.sql), applied at start."""
