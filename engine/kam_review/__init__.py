"""kam-review: declarative rules over key account files, rendered as a static review site."""

__version__ = "0.1.0"
