"""The review site: the pages, generated from a review, and the MkDocs plugin that serves
them."""
