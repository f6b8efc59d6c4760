"""The AWS protocol engine: HTTP requests to (operation, input) and outputs/errors to HTTP,
for the query, ec2, json, rest-xml and rest-json protocols, driven by botocore's models."""
