"""The `kam` commands, one module each, as plain functions: cli.py parses the options and
calls them; common.py holds what they share (standard output, report files, exit codes)."""
