"""Math answers: extraction (API side), then parsing and comparison (worker side)."""
