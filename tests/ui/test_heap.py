"""The collection policy: full passes wait while runs stream, and everything is handed
back when the app closes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from workbench.ui.heap import FULL_PASSES_HELD, Heap


@pytest.fixture
def heap() -> Iterator[Heap]:
    thresholds = gc.get_threshold()
    heap = Heap()
    yield heap
    heap.release()
    gc.set_threshold(*thresholds)


def test_full_passes_wait_until_the_last_of_two_runs_ends_and_the_app_is_idle(
    heap: Heap,
) -> None:
    ordinary = gc.get_threshold()
    heap.run_started()
    heap.run_started()
    assert gc.get_threshold()[2] == FULL_PASSES_HELD
    assert gc.get_threshold()[:2] == ordinary[:2]
    assert not heap.run_ended()
    assert heap.run_ended()
    assert gc.get_threshold()[2] == FULL_PASSES_HELD
    heap.run_started()
    heap.collect_idle()  # a run started again in the meantime: nothing yet
    assert gc.get_threshold()[2] == FULL_PASSES_HELD
    assert heap.run_ended()
    heap.collect_idle()
    assert gc.get_threshold() == ordinary


def test_closing_hands_back_the_frozen_objects_and_ordinary_collection(heap: Heap) -> None:
    ordinary = gc.get_threshold()
    heap.settle()
    assert gc.get_freeze_count() > 0
    heap.run_started()
    heap.release()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == ordinary
