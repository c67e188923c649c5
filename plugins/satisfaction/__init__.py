"""Information department: satisfaction surveys after a ticket is resolved (seed step 9)."""
