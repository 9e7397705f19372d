"""Pose estimation backends: video frames in, `PoseFrame`s out."""
