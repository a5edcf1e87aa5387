"""Scoring: the insider/outsider monitoring rubric (definition, submissions, results,
agreement, figures shown beside the criteria); see docs/rubric.md."""
