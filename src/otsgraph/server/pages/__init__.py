"""The pages a person reads: the query page, entity pages, /explain, /timeline,
/search, /ontology and /downloads, in the readers' languages."""
