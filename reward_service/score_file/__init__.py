"""`reward-service score`: score a JSONL file of rollouts, resumably, and select SFT data R1-style."""
