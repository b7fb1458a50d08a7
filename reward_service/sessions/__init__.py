"""Stateful sandbox sessions: a Python kernel per trajectory, for multi-turn tool use."""
