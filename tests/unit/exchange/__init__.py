"""Partner-exchange units: status tables, backoff, payload codecs, codegen."""
