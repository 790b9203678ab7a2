"""Only for the optional C helper of `quoteprov validate`; everything else is in pyproject.toml.

The extension is optional: where it cannot be compiled (no C compiler), the install goes on and
quoteprov uses the pure-Python twin in quoteprov/speedups.py.
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("quoteprov._speedups", ["quoteprov/_speedups.c"], optional=True)])
