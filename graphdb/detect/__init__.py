"""Detection of coordinated accounts: projections from shares to account graphs, no database."""
