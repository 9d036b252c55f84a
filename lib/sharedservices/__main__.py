"""``python -m sharedservices``: see :mod:`sharedservices.pipeline.cli`."""

import sys

from sharedservices.pipeline.cli import main

sys.exit(main())
