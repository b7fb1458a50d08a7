"""Dispatchers move verification jobs to workers; they never judge anything themselves."""
