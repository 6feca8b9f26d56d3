"""OWL 2 RL reasoning: the engine, and the temporal rule over the article's dates."""
