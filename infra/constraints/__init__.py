"""Microsoft's constraints on the Bicep template, checked offline (see rules.py)."""
