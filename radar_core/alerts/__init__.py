"""Alerts (DESIGN.md section 7): episodes opened and resolved by the health engine, their
notifications to channels, and silences."""
