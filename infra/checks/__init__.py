"""Insight365 custom checkov checks for Bicep (loaded with --external-checks-dir infra/checks)."""
