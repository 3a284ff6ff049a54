"""The collection policy: full passes wait while runs stream, and everything is handed
back when the app closes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pilot import make_app, roster_shown, until
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


def test_collection_held_through_start_up_resumes_when_the_screen_settles(heap: Heap) -> None:
    gc.disable()  # as the command line does before building the app
    try:
        heap.settle()
        assert gc.isenabled()
        gc.disable()
        heap.release()
        assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_app_collects_again_once_its_first_screen_is_up(workspace: Path) -> None:
    gc.disable()
    try:
        app = make_app(workspace)
        async with app.run_test(size=(160, 48)) as pilot:
            await roster_shown(pilot)
            await until(pilot, gc.isenabled)
    finally:
        gc.enable()
