"""SHACL validation: the fast validator, the pySHACL reference, and the reports."""
