"""The reconciliation service (OpenRefine's 0.2 API and the 1.0 draft): the
catalogue of entities, and the name matcher."""
