"""Versioned SQL migrations of the route53 service (NNNN_name.sql), applied at start."""
