"""`python -m quoteprov ...`: the same command line as the `quoteprov` script (for an environment
where the script is not on the PATH)."""
import sys

from .cli import main

sys.exit(main())
