"""The Nimbus iam service."""
