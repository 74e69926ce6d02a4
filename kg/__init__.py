"""actorkg: news articles -> a knowledge graph of actors, their relations and events."""

__version__ = "0.1.0"
