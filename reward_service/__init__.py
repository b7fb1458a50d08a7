"""reward-service: rule-based rewards for RL with verifiable rewards."""

__version__ = "0.1.0"
