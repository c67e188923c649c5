"""General affairs: escalation of tickets at risk of or past their SLA targets."""
