"""Checks on built outputs, run after ``make reports``.

``python -m sharedservices.checks.browser [PATHS...]`` (``make check-reports``) opens every
built HTML report in headless Chromium with the network cut off; see
:mod:`sharedservices.checks.browser`.
"""
