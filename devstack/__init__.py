"""Helpers for tests, benchmarks and examples run from a checkout: a server in a subprocess,
a throwaway redis-server and RQ worker processes. Not part of the installed distribution."""
