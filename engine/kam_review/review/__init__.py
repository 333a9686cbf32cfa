"""The review: evaluating a portfolio into a result (classes, findings, waivers), explaining
it, and comparing two reviews."""
