# SPDX-License-Identifier: GPL-3.0-or-later
"""Loaded by python3 at start when socket-playground --trace puts this
directory first on PYTHONPATH: it reports the program's socket calls over
the channel the parent passed (src/core/sp-trace-report.h). Outside a trace
it does nothing, so a PYTHONPATH inherited by an unrelated program is
harmless."""

import os

if os.environ.get('SP_TRACE_FD'):
    import sp_trace

    sp_trace.install()
