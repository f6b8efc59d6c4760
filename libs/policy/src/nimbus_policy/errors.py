"""The one exception the engine raises for a bad document, carrying AWS's own wording."""


class MalformedPolicyDocument(ValueError):
    """A policy document AWS would refuse; `message` is the text AWS puts in the error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
