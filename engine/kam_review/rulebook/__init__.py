"""The rules: the condition language, loading rule files and thresholds, the facts the rules
test, and the adapter to the durable-rules engine."""
