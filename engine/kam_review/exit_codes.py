"""What each command's exit codes mean, as its help ends with them (the README's table says
the same)."""

EXIT_CODES = """\b
Exit codes:
  0  every input is valid and no finding is at or above --fail-on
  1  a finding at or above --fail-on
  2  invalid input or usage: every problem is listed, every valid account still reviewed
  3  internal error: one line on stderr, the traceback in the log file it names
  141  the output's reader went away (a closed pipe): the output is incomplete"""

DIFF_EXIT_CODES = """\b
Exit codes:
  0  compared (whatever changed: the comparison gates nothing)
  2  invalid input or usage: an unknown revision, or files either side cannot read (the
     rest is compared, and the changes are written)
  3  internal error: one line on stderr, the traceback in the log file it names
  141  the output's reader went away (a closed pipe): the output is incomplete"""

WRITE_EXIT_CODES = """\b
Exit codes:
  0  written
  2  invalid input or usage (a file that is there already is never replaced)
  3  internal error: one line on stderr, the traceback in the log file it names"""

IMPORT_EXIT_CODES = """\b
Exit codes:
  0  imported (or nothing to change)
  1  a closed quarter's figure conflicts with the file: kept, the rest imported
  2  invalid input or usage: the mapping, an unreadable export, or rows not imported
     (each named by file, row, column and value; every other row still imports)
  3  internal error: one line on stderr, the traceback in the log file it names
  141  the output's reader went away (a closed pipe): the output is incomplete"""
