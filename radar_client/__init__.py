"""Radar's client side: :class:`Client` for scripts and the ``radar`` command line.

Depends on HTTP only (requests), never on Radar's server code.
"""

from radar_client.client import ApiError, Client

__all__ = ["ApiError", "Client"]
