"""The liability rule catalogue as versioned data, and the tiny evaluator that runs it.

``model`` holds the vocabulary (levels, legal references, conditions, rules), ``catalogue`` the
scenarios S01–S47 and the rear-end refinements, ``evaluate`` the matcher.
"""
