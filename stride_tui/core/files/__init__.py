"""Reading, validating and saving model files, and what a crash leaves for recovery."""
