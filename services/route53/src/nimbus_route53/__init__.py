"""The Nimbus route53 service."""
