"""Generated from proto/ by sdks/python/generate.sh: do not edit."""
