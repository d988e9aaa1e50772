"""Automated signals: pure checks over a candidate's facts and cited reference data."""
