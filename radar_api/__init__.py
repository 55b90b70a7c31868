"""Radar's REST API: a Pecan and WSME application over radar_core.service (docs/api.md)."""
