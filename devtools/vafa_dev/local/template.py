"""Reads template.yaml: the tables, queues, functions, routes and schedules the local stack serves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsic functions (`!Ref`, `!GetAtt`, `!Sub`, ...)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@dataclass
class Route:
    method: str
    path: str
    function: str
    pattern: re.Pattern[str]
    params: list[str]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def specificity(self) -> tuple[int, int, int]:
        greedy = 1 if "+}" in self.path else 0
        return (greedy, len(self.params), -len(self.path))


@dataclass
class Function:
    logical_id: str
    code_uri: str
    handler: str
    environment: dict[str, Any]
    timeout: int
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def schedules(self) -> list[str]:
        return [
            name.lower() for name, ev in self.events.items() if ev.get("Type") in ("Schedule", "ScheduleV2")
        ]

    def queue_sources(self) -> list[dict[str, Any]]:
        return [ev.get("Properties", {}) for ev in self.events.values() if ev.get("Type") == "SQS"]


@dataclass
class Template:
    root: Path
    raw: dict[str, Any]
    functions: dict[str, Function]
    routes: list[Route]

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            name: res.get("Properties", {}) or {}
            for name, res in self.raw.get("Resources", {}).items()
            if res.get("Type") == kind
        }

    def parameter_defaults(self) -> dict[str, Any]:
        return {name: spec.get("Default") for name, spec in self.raw.get("Parameters", {}).items()}


def _route_pattern(path: str) -> tuple[re.Pattern[str], list[str]]:
    params: list[str] = []
    regex = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            params.append(name)
            regex += f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(piece)
    return re.compile(f"^{regex}$"), params


def load_template(path: Path) -> Template:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)
    globals_fn = (raw.get("Globals") or {}).get("Function", {}) or {}
    global_env = (globals_fn.get("Environment") or {}).get("Variables", {}) or {}
    functions: dict[str, Function] = {}
    routes: list[Route] = []
    for name, res in (raw.get("Resources") or {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties", {}) or {}
        env = {**global_env, **((props.get("Environment") or {}).get("Variables", {}) or {})}
        fn = Function(
            logical_id=name,
            code_uri=props.get("CodeUri", ""),
            handler=props.get("Handler", "app.lambda_handler"),
            environment=env,
            timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
            events=props.get("Events", {}) or {},
        )
        functions[name] = fn
        for event in fn.events.values():
            if event.get("Type") != "HttpApi":
                continue
            eprops = event.get("Properties", {}) or {}
            method = str(eprops.get("Method", "ANY")).upper()
            route_path = str(eprops.get("Path", "/"))
            pattern, params = _route_pattern(route_path)
            routes.append(Route(method, route_path, name, pattern, params))
    routes.sort(key=lambda r: r.specificity)
    return Template(path.parent, raw, functions, routes)
