"""The command line's exit codes, in one place (the README, `otsgraph --help`, docs/wikidata.md)."""

EXIT_OK = 0
#: the data or a submission does not conform: a shape, a check, an inconsistency, a QC error
EXIT_INVALID = 1
#: the input or the call is wrong: a usage error, an unreadable or ill-formed file, a store that a
#: running server holds or a change pending recovery; the message says what and where
EXIT_INPUT = 2
#: a remote service could not be reached or answered with an error: Wikidata (`otsgraph link`, also
#: for a missing recording) or the store `otsgraph publish` writes to. Its own code, so that a
#: script can retry this and not a usage error
EXIT_UNREACHABLE = 3
