"""Journey tests (issue 11): each drives the real interfaces in the order a person would use them."""
