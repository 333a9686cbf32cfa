"""Reading input: account files (strict YAML, schema, names, the account model), the cache of
parsed files, and folders as they were at a git revision."""
