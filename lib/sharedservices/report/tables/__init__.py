"""Tables: a DataFrame in, a display-ready DataFrame out; no I/O (show them with sharedservices.report.display.show_table).

One module per topic (``overview`` for the data overview, and one per report topic);
every public name of every submodule is re-exported here, so notebooks call
``sharedservices.report.tables.NAME``.  A new topic is a new module in this package listing its
public names in ``__all__``; nothing else needs editing.  Two modules exporting the same
name is an error at import time, so a name always means one thing.
"""

from __future__ import annotations

from sharedservices.report._reexport import reexport

__all__: list[str] = reexport(__name__, __path__, globals())
