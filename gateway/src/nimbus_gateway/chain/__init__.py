"""The gateway's request handling as an explicit, ordered chain of small handlers.

request id -> detection -> authentication -> parsing -> authorization -> dispatch ->
serialization; any AwsError on the way is serialized by the error handler in the format of
the API the request was for.
"""
