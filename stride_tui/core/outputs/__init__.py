"""What a model turns into: DOT and text diagrams, reports, stories, SARIF and finding lists."""
