"""Scale-out on RQ: the API's dispatcher puts chunks of jobs on queues, `reward-service worker`s verify them.

- `keys`: queue names and Redis keys, shared by the API and the workers.
- `chunks`: splitting a batch into chunks and reading their replies.
- `enqueue`: one RQ job per chunk, enqueued in one pipeline.
- `janitor`: abandoned chunks retried, lost ones settled, unstarted ones withdrawn.
- `dispatcher`: `RQDispatcher`, the API side, which streams the replies.
- `chunk_job`: what a worker runs for a chunk, and its reply.
- `worker`: the worker process (`ChunkWorker`, `run_worker`).
"""
