"""Training department: customer training requests and sessions (seed step 8)."""
