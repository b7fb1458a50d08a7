"""The HTTP wire models, one module per protocol, and nowhere else: `scoring` (items,
options and results of /score, /openrlhf and /jobs; stored problems), `run_code`
(SandboxFusion's /run_code), `languages` (GET /languages). The one exception: a code
item's `tests` are the test kinds' own models (verifiers/code/kinds/), which `scoring`
embeds. A router imports its models from here; nothing below the routers but the
pipeline, the importer and the scorers sees them, and a code worker never does
(pyproject.toml's import contracts)."""
