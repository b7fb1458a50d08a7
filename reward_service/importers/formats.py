"""The dataset formats `problems import --format` knows, by name."""

from __future__ import annotations

from reward_service.importers.apps import Apps
from reward_service.importers.codecontests import CodeContests
from reward_service.importers.codeforces import Codeforces
from reward_service.importers.converted import DatasetFormat
from reward_service.importers.humaneval import HumanEval
from reward_service.importers.livecodebench import LiveCodeBench
from reward_service.importers.mbpp import Mbpp
from reward_service.importers.taco import Taco

_ALL: tuple[DatasetFormat, ...] = (
    CodeContests(),
    Apps(),
    Taco(),
    LiveCodeBench(),
    Codeforces(),
    HumanEval(),
    Mbpp(),
)
FORMATS: dict[str, DatasetFormat] = {format.name: format for format in _ALL}
