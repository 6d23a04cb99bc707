"""squashkit."""
