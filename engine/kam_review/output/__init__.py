"""What the review is written as: text, JSON, Markdown, SARIF and JUnit reports, charts, and
the files the tool writes (generated output, and new account files)."""
