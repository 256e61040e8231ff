"""sahelmap: explore armed-conflict events in Mali."""
