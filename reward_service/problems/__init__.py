"""Problems stored once (`PUT /problems/{id}`) and referenced by items (`"problem": id`):
a many-test problem's tests, checker or interactor travel once, not with every rollout.

- `model`: what a stored problem is, its content hash, its typed tests.
- `store`: where problems live: a folder on disk (the embedded default) or Redis (scale-out).
- `resolve`: the problems a batch names, looked up once per request, typed once per content hash.
"""
