"""`ChainScheduling`: pytest-xdist's load scheduling, with chains of tests kept on one worker.

A unit of work is either one test or a chain (tests/conftest.py's ``CHAINS``): all its tests go to one
worker, which runs them one after another in collection order. A chain pinned to a worker index starts
there first; the other units go, in collection order, to whichever worker has fewer than two tests in
hand (an xdist worker runs a test only once it knows the next one). A worker whose last test in hand
belongs to a chain is given a single test rather than another chain, so that two long runs never queue
on one worker while the other one has work.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping

import pytest
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController


class ChainScheduling(LoadScopeScheduling):
    def __init__(
        self,
        config: pytest.Config,
        log: object | None = None,
        *,
        chain_of: Callable[[str], tuple[str, int] | None],
        pinned: Mapping[str, int | None],
    ) -> None:
        super().__init__(config, log)
        self._chain_of = chain_of
        self._pinned = pinned

    def _split_scope(self, nodeid: str) -> str:
        chained = self._chain_of(nodeid)
        return f"chain:{chained[0]}" if chained is not None else nodeid

    def _pending_ids(self, node: WorkerController) -> list[str]:
        return [n for unit in self.assigned_work[node].values() for n, done in unit.items() if not done]

    def _give(self, node: WorkerController, scope: str) -> None:
        work_unit = self.workqueue.pop(scope)
        self.assigned_work[node][scope] = work_unit
        collection = self.registered_collections[node]
        node.send_runtest_some([collection.index(n) for n, done in work_unit.items() if not done])

    def _reschedule(self, node: WorkerController) -> None:
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        pending = self._pending_ids(node)
        if len(pending) >= 2:
            return
        behind_a_chain = bool(pending) and self._chain_of(pending[-1]) is not None
        scopes = list(self.workqueue)
        if behind_a_chain:
            singles = [s for s in scopes if not s.startswith("chain:")]
            scopes = singles or scopes
        self._give(node, scopes[0])

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is not None:
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        queue: OrderedDict[str, dict[str, bool]] = OrderedDict()
        for nodeid in self.collection:
            queue.setdefault(self._split_scope(nodeid), {})[nodeid] = False
        self.workqueue = queue
        nodes = self.nodes
        for name, worker in self._pinned.items():  # pinned chains first, each on its worker
            scope = f"chain:{name}"
            if worker is not None and scope in self.workqueue:
                self._give(nodes[worker % len(nodes)], scope)
        for node in nodes:
            self._reschedule(node)
            self._reschedule(node)  # an idle worker takes two single tests
