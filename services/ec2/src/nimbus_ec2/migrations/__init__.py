"""Versioned SQL migrations of the ec2 service (NNNN_name.sql), applied at start."""
