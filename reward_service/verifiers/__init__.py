"""Verifiers: plain functions that take one item's essentials and return a Verdict."""
