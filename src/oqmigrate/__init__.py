"""oqmigrate: find and rewrite Oqtane scheduled-job anti-patterns."""

__version__ = "0.1.0"
