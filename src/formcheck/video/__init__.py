"""Video in and out: frames with real timestamps, and an H.264 writer."""
