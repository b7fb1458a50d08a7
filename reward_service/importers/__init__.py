"""`reward-service problems import`: contest datasets, as they ship, into stored problems."""
