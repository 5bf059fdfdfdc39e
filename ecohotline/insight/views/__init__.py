"""Insight pages (分析研判): one module per topic, each with its page routes and API routes. Who sees them: the
overview roles (`assessment.access.overview_required` and `CanSeeOverview`)."""
