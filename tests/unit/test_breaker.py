"""radar_core.db.Breaker: after a failure, requests answer at once for a while, then one
tries; the first success closes it."""

from radar_core.db import Breaker


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_closed_breaker_lets_every_request_try():
    breaker = Breaker(5, Clock())
    assert breaker.allow() and breaker.allow()


def test_after_a_failure_one_request_tries_once_the_interval_has_passed():
    clock = Clock()
    breaker = Breaker(5, clock)
    breaker.failed()
    clock.now = 4.9
    assert not breaker.allow()
    clock.now = 5.0
    assert breaker.allow()  # this one tries ...
    assert not breaker.allow()  # ... and the others answer at once meanwhile
    breaker.failed()
    clock.now = 9.9
    assert not breaker.allow()
    clock.now = 10.0
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.allow() and breaker.allow()


def test_a_zero_interval_never_holds_a_request():
    breaker = Breaker(0, Clock())
    breaker.failed()
    assert breaker.allow()
