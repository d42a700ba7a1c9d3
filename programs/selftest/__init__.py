"""The self-test: measured with the phone's motion sensor, by a picture, or typed in."""
