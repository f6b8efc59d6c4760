"""The nimbus command: brings the local cloud up, supervises it, reports on it."""
