"""The Nimbus sqs service."""
