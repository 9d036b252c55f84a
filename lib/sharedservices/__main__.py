"""``python -m sharedservices``: see :mod:`sharedservices.cli`."""

import sys

from sharedservices.cli import main

sys.exit(main())
