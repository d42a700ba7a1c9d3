"""The care rules: the one place that moves a person between care states (see docs/care-rules.md).

``events`` holds every transition; ``state`` reads where a person stands; ``progress`` and
``prescribing`` are the rules the transitions and the pages share. Nothing outside this package
writes a plan's status, stage, pause or rest day.
"""
