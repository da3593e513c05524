"""The scenario family generator, run through spec/gen/families.py."""
