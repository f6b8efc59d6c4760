"""The AWS-facing HTTP gateway: it detects the service, authenticates and dispatches over gRPC."""
