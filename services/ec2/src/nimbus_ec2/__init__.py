"""The Nimbus ec2 service."""
