"""The platform plane: Insight365's own operators, their audit log, and support access customers grant."""
