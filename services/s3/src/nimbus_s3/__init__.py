"""The Nimbus s3 service."""
