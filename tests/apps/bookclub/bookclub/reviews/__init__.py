"""Reviews: members rate the books they have read."""
