"""Sample articles and the sample feed (`feed.xml`) of the default run, shipped as package data.

A regular package, not a namespace one: `importlib.resources.files("seeds")` fails on a namespace package
under an editable install (its path then holds the editable finder's hook, which is not a directory).
"""
