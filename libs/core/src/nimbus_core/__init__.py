"""Shared runtime of every Nimbus process. It names no service: services build on it."""
