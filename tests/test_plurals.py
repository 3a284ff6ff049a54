"""Counts read as a person writes them."""

from workbench.plurals import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert counted(1, "turn") == "1 turn"
    assert counted(0, "turn") == "0 turns"
    assert counted(2, "matching line") == "2 matching lines"
    assert counted(1_204, "line") == "1,204 lines"
