"""The base every layer reads: the vocabulary and graph names, the shipped files' layout and
loading, the store, the SPARQL files, result formats and term conversions."""
