"""HTTP plumbing shared by every route: problems, headers, request parsing and the route adapter."""
