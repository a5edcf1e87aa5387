"""Modules of the sample-data generator (data/sample/generate.py): scenario, world, renderers."""
