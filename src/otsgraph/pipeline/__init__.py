"""The build: the article's facts read, reasoned, validated and reported; the quality
checks, coverage, claim skeletons and the ontology's documentation."""
