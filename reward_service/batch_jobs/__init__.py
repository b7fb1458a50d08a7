"""Asynchronous batches (POST /jobs, GET /jobs/{id}): where their state lives and what runs them."""
