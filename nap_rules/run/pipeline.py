"""The run, in its one direction: load → validate → graph → evaluate; each step a function."""

from __future__ import annotations

import dataclasses
import gc
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..findings import Finding, sort_findings
from ..load.plan_folder import PlanFiles, PlanReading, read_plan_dir
from ..load.schema_check import check_plan_files
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from ..model.graph import GraphBuilder, PlanGraph, build_plan_graph
from ..model.references import REF_INSTITUTION

if TYPE_CHECKING:
    import networkx as nx


class Validated:
    """A plan folder read and checked against its schemas, with its graph.

    `graph` is the networkx graph (None when the files break their schemas), made on first use
    from `plan_graph`, which rules read without networkx. A check with a cache that re-read only
    some files passes `complete`, which reads the rest and builds the whole graph when `files`
    or `graph` is first asked for: every path gives the same shape.
    """

    __slots__ = ("_files", "_plan_graph", "findings", "_complete")

    def __init__(self, files: PlanFiles | None, graph=None, findings: list[Finding] | None = None, *,
                 complete=None):
        self._files = files
        self._plan_graph = graph  # a PlanGraph or a networkx graph
        self.findings = findings if findings is not None else []
        self._complete = complete  # () -> (files, plan graph)

    def _completed(self) -> None:
        if self._complete is not None:
            complete, self._complete = self._complete, None
            self._files, self._plan_graph = complete()

    @property
    def files(self) -> PlanFiles:
        self._completed()
        return self._files

    @property
    def plan_graph(self):
        """The graph as rules read it (a PlanGraph), or None."""
        self._completed()
        return self._plan_graph

    @property
    def graph(self) -> "nx.MultiDiGraph | None":
        graph = self.plan_graph
        return graph.to_networkx() if isinstance(graph, PlanGraph) else graph

    @property
    def plan_id(self) -> str:
        return self.files.plan_id


@contextmanager
def collector_paused():
    """A run builds millions of small acyclic objects: the cyclic collector only slows it down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(plan_dir: Path | str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False,
             progress_dirs=(), cache: str | Path | None = None) -> Validated:
    """Schema and reference findings; InputError when a file cannot be read at all.

    Rules need a well-formed graph, so when any file breaks its schema the graph is not
    built and only the schema findings are returned. `cache` is a cache folder
    (nap_rules.load.file_cache): files read before are taken from it, with their schema findings.
    """
    with collector_paused():
        from ..workbook.source import is_workbook

        if is_workbook(plan_dir):
            from ..workbook.source import read_workbook_plan

            files, read_findings = read_workbook_plan(plan_dir, limits)
            findings = check_plan_files(files)
            if any(f.severity == "error" for f in findings):
                return Validated(files, None, sort_findings(findings + read_findings))
            graph, ref_findings = build_plan_graph(files)
            return Validated(files, graph, sort_findings(findings + ref_findings + read_findings))
        built = None
        if cache is None:
            with PlanReading(plan_dir, limits, pure, progress_dirs) as reading:
                if reading.parallel:  # the graph is built while workers read the goal files
                    built = build_while_read([kind for _, kind, _ in reading.listed], reading.file, reading.folder)
                files = reading.files()
        else:
            from ..load.file_cache import FileCache

            files = read_plan_dir(plan_dir, limits, pure, progress_dirs, cache=FileCache(cache, limits))
        findings = check_plan_files(files)
        if any(f.severity == "error" for f in findings):
            return Validated(files, None, sort_findings(findings))
        if built is None:
            graph, ref_findings = build_plan_graph(files)
        else:
            builder, graph = built
            ref_findings = builder.findings + builder.ref_findings()
        return Validated(files, graph, sort_findings(without_registry(findings + ref_findings, plan_dir,
                                                                      files.display_root)))


class _Broken(Exception):
    """A file read while the graph was being built breaks its schema: the graph is not built."""


def build_while_read(kinds: list, file, folder: PlanFiles, make=GraphBuilder) -> tuple | None:
    """The graph builder (made by `make`) and the graph of a plan whose files are being read by
    worker processes: the files that are not goal files first, then each goal file as it comes
    back, in order. `kinds` are the kinds of the plan files, `file(i)` plan file i once read
    (waiting for its worker), `folder` the PlanFiles they go in.

    None when a file cannot be read or breaks its schema: the caller then reads every file in
    order (the first that cannot be read raises its error) and reports the schema findings.
    """
    goal_indexes = [i for i, kind in enumerate(kinds) if kind == "goal"]
    try:
        others = [file(i) for i, kind in enumerate(kinds) if kind != "goal"]
        if _breaks(others):
            return None

        def goals():
            for i in goal_indexes:
                goal = file(i)
                if _breaks([goal]):
                    raise _Broken(goal.display)
                yield goal

        builder = make(dataclasses.replace(folder, files=others))
        builder.goals = goals()
        graph = builder.build_plan_graph()
    except (InputError, _Broken):
        return None
    return builder, graph


def _breaks(files) -> bool:
    return any(f.severity == "error" for plan_file in files for f in plan_file.schema_findings)


def without_registry(findings: list[Finding], plan_dir: Path | str, display_root: str) -> list[Finding]:
    """Without institutions.yaml every body a measure names is unknown: one finding says that the file is
    missing, instead of one "body not in institutions.yaml" finding per reference."""
    folder = Path(plan_dir)
    if not folder.is_dir() or any((folder / name).is_file() for name in ("institutions.yaml", "institutions.yml")):
        return findings  # a workbook has its own Institutions sheet
    unknown = [f for f in findings if f.rule == REF_INSTITUTION]
    if not unknown:
        return findings
    bodies = len({f.detail for f in unknown})
    missing = Finding(REF_INSTITUTION, "error", "",
                      f"no institutions.yaml: the {bodies} bod{'ies' if bodies != 1 else 'y'} that measures name "
                      f"({len(unknown)} reference{'s' if len(unknown) != 1 else ''}) cannot be checked without the "
                      "registry of bodies; add it (README, The plan folder)",
                      f"{display_root.rstrip('/')}/institutions.yaml", 1, 1, detail="institutions.yaml")
    return [f for f in findings if f.rule != REF_INSTITUTION] + [missing]
