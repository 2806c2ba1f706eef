"""Auth: bearer tokens with a role scoped to shows, browser sessions, one-time login links."""
