"""Cross-cutting helpers used by every part of the application."""
