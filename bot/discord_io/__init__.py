"""Discord-facing plumbing: embeds, views and modals that turn core results into messages."""
