"""Running Agora like production on one machine: configuration files and the script that
starts them (see docs/operations.md)."""
