"""Which rest operation a request is: HTTP method + requestUri template, most specific wins.

S3 puts dozens of operations on /{Bucket} and /{Bucket}/{Key+}; they differ by literal query
keys in the template (?acl, ?uploads, ?list-type=2), by required query members (uploadId,
partNumber) and by required headers (x-amz-copy-source). An operation is fully matched
when its literals and required location members are all present; among those the most
specific wins. Exact ties are wire-identical operations (a deprecated twin such as
GetBucketLifecycle, or ListDirectoryBuckets, served on another endpoint): the x-id query
parameter some SDKs send decides, else the non-deprecated, main-endpoint one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from multidict import CIMultiDict

from nimbus_gateway.protocol.models import OperationModel, ServiceModel

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    """One operation's requestUri, compiled."""

    operation: OperationModel
    method: str
    exact: re.Pattern[str]
    relaxed: re.Pattern[str] | None  # the same path give or take a trailing slash
    labels: tuple[str, ...]
    literals: tuple[tuple[str, str | None], ...]
    query_members: frozenset[str]
    required_query: frozenset[str]
    required_headers: frozenset[str]
    literal_length: int
    preference: tuple[int, int]  # (not deprecated, not served on a separate endpoint)

    @classmethod
    def build(cls, operation: OperationModel) -> Route:
        uri = str(operation.http.get("requestUri", "/"))
        path, _, query = uri.partition("?")
        labels: list[str] = []
        pattern = []
        for index, part in enumerate(_LABEL.split(path)):
            if index % 2 == 0:
                pattern.append(re.escape(part))
            elif part.endswith("+"):
                labels.append(part[:-1])
                pattern.append("(.+)")
            else:
                labels.append(part)
                pattern.append("([^/]+)")
        exact = "".join(pattern)
        relaxed: str | None = None
        if path.endswith("/") and len(path) > 1:
            relaxed = exact[:-1]
        elif not path.endswith("+}") and path != "/":
            relaxed = exact + "/"
        literals = tuple(
            (key, value if "=" in pair else None)
            for pair in query.split("&")
            if pair
            for key, _, value in [pair.partition("=")]
        )
        query_members: set[str] = set()
        required_query: set[str] = set()
        required_headers: set[str] = set()
        shape = operation.input_shape
        if shape is not None:
            required = set(shape.required_members)
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                wire = str(member.serialization.get("name", name))
                if location == "querystring":
                    query_members.add(wire)
                    if name in required:
                        required_query.add(wire)
                elif location == "header" and name in required:
                    required_headers.add(wire.lower())
        static = {param.name for param in operation.static_context_parameters}
        return cls(
            operation=operation,
            method=str(operation.http.get("method", "POST")).upper(),
            exact=re.compile(exact),
            relaxed=re.compile(relaxed) if relaxed is not None else None,
            labels=tuple(labels),
            literals=literals,
            query_members=frozenset(query_members),
            required_query=frozenset(required_query),
            required_headers=frozenset(required_headers),
            literal_length=len(_LABEL.sub("", path)),
            preference=(
                int(not operation.deprecated),
                int(not static & {"UseS3ExpressControlEndpoint", "UseObjectLambdaEndpoint"}),
            ),
        )

    def match_path(self, path: str) -> tuple[bool, tuple[str, ...]] | None:
        """(exact, raw label values) when path fits the template."""
        found = self.exact.fullmatch(path)
        if found is not None:
            return True, found.groups()
        found = self.relaxed.fullmatch(path) if self.relaxed is not None else None
        return (False, found.groups()) if found is not None else None


@dataclass(frozen=True)
class Match:
    route: Route
    raw_labels: dict[str, str]  # label -> raw (still percent-encoded) text
    score: tuple[int, ...]  # how specifically the request fits (higher wins)
    preference: tuple[int, int]  # the tie-break between wire-identical operations


class Router:
    """All routes of one rest service."""

    def __init__(self, model: ServiceModel) -> None:
        self._routes = [Route.build(model.operation_model(name)) for name in model.operation_names]
        self._by_name = {route.operation.name: route for route in self._routes}
        self._by_method: dict[str, list[Route]] = {}
        for route in self._routes:
            self._by_method.setdefault(route.method, []).append(route)

    def route_for(self, operation: OperationModel) -> Route:
        return self._by_name[operation.name]

    def paths_match(self, path: str) -> bool:
        """Some operation answers this path (with whatever method)."""
        return any(route.match_path(path) is not None for route in self._routes)

    def candidates(
        self, method: str, path: str, query: str, headers: CIMultiDict[str]
    ) -> list[Match]:
        """Every operation the request could be, best first."""
        pairs = parse_qsl(query, keep_blank_values=True)
        keys = {key for key, _ in pairs}
        values = dict(pairs)
        x_id = values.get("x-id")
        found: list[Match] = []
        for route in self._by_method.get(method, []):
            matched = route.match_path(path)
            if matched is None or not _literals_present(route.literals, keys, values):
                continue
            exact, groups = matched
            complete = route.required_query <= keys and all(
                name in headers for name in route.required_headers
            )
            recognised = len(keys & (route.query_members | {key for key, _ in route.literals}))
            score = (
                int(complete),
                int(exact),
                len(route.literals),
                int(x_id == route.operation.name),
                len(route.required_query) + len(route.required_headers) if complete else 0,
                recognised,
                route.literal_length,
            )
            labels = dict(zip(route.labels, groups, strict=True))
            found.append(Match(route, labels, score, route.preference))
        found.sort(
            key=lambda match: (
                tuple(-part for part in match.score),
                tuple(-part for part in match.preference),
                match.route.operation.name,
            )
        )
        return found


def _literals_present(
    literals: Sequence[tuple[str, str | None]], keys: set[str], values: dict[str, str]
) -> bool:
    return all(
        key in keys and (value is None or values.get(key) == value) for key, value in literals
    )
