"""The SPARQL 1.1 Protocol, the Graph Store Protocol, /validate and content
negotiation: the endpoint's HTTP."""
