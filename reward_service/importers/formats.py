"""The dataset formats `problems import --format` knows, by name."""

from __future__ import annotations

from reward_service.importers.apps import Apps
from reward_service.importers.codecontests import CodeContests
from reward_service.importers.converted import DatasetFormat

FORMATS: dict[str, DatasetFormat] = {format.name: format for format in (CodeContests(), Apps())}
