"""The submission limits' moving window: a limit counts the hits of the last window, per key."""

from __future__ import annotations

from limits import parse

from services.intake.service_layer.ratelimit import MovingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hits_within_the_limit_pass_and_the_next_one_waits_for_the_oldest_to_leave_the_window() -> None:
    clock = Clock()
    window = MovingWindow(parse("3/minute"), clock)

    passed = [window.hit("meihu", "sun-hao") for _ in range(3)]
    clock.now += 20
    refused = window.hit("meihu", "sun-hao")

    assert passed == [None, None, None]
    assert refused == 40.0


def test_a_refused_hit_is_not_counted_and_the_window_moves() -> None:
    clock = Clock()
    window = MovingWindow(parse("2/minute"), clock)
    window.hit("a")
    clock.now += 30
    window.hit("a")
    clock.now += 10
    assert window.hit("a") is not None

    clock.now += 20.5  # the first hit left the window; the refused one never entered it
    assert window.hit("a") is None
    assert window.hit("a") is not None


def test_keys_are_counted_apart() -> None:
    window = MovingWindow(parse("1/minute"), Clock())

    assert window.hit("meihu", "sun-hao") is None
    assert window.hit("meihu", "li-na") is None
    assert window.hit("binhu", "sun-hao") is None
    assert window.hit("meihu", "sun-hao") is not None


def test_keys_idle_for_a_whole_window_are_forgotten() -> None:
    clock = Clock()
    window = MovingWindow(parse("5/second"), clock)
    for person in range(100):
        window.hit(str(person))

    clock.now += 1.5
    window.hit("another")

    assert list(window._hits) == [("another",)]
