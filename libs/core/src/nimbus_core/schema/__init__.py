"""The core schema (outbox, processed events) every service database carries."""
