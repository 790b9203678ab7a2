"""`python -m quoteprov.validation ...`: the validate command alone (same as `quoteprov validate`)."""
import sys

from ..cli import main

sys.exit(main(["validate", *sys.argv[1:]]))
