"""Whether and how loudly a candidate is reported: filters, scoring, suppression, baselines, reuse."""
