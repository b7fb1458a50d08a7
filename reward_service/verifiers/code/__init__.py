"""The code verifier: find the program, run it against its tests in a sandbox, judge."""
