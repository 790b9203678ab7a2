#!/usr/bin/env python3
"""Rebuild dataset/data/ from dataset/sources/ (the same as `quoteprov build`)."""
import sys

from quoteprov.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
