"""Left against right: when a difference between the legs is worth showing.

Two readings of the same leg differ a little even when nothing changed, so a gap between the
legs is shown only when it is larger than that usual error.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import SelfTest

# The smallest change a smartphone straight-leg-raise reading can tell apart from measuring
# error, at 95% confidence, between two people measuring: 10.2 degrees (3.3 when the same
# person measures twice). A person measuring themselves at home is closer to the less
# controlled of the two, so we use the larger figure, rounded to 10.
USUAL_ERROR_DEGREES = 10
USUAL_ERROR_SOURCE = (
    "“Reliability of range of motion in straight leg raise and hip extension tests among "
    "healthy young adults using a smartphone application”, Journal of Bodywork and Movement "
    "Therapies, 2024"
)
USUAL_ERROR_LINK = "https://doi.org/10.1016/j.jbmt.2024.05.033"
# Our own general advice, not from the source articles: a leg that lifts this little, or much
# less than the other, is worth a word about nerve symptoms before stretching.
LOW_DEGREES = 30


@dataclass(frozen=True)
class SideDifference:
    """The latest self-test's gap between the legs, if it is larger than the usual error."""

    degrees: int
    higher: str  # "left" or "right"
    by_eye: bool  # a picture or a typed number on either side: the error is likely larger

    @property
    def lower(self) -> str:
        return "right" if self.higher == "left" else "left"


def side_difference(test: SelfTest | None) -> SideDifference | None:
    if test is None or test.side_difference <= USUAL_ERROR_DEGREES:
        return None
    higher = "left" if test.left_angle > test.right_angle else "right"
    return SideDifference(test.side_difference, higher, by_eye=not test.both_by_sensor)


@dataclass(frozen=True)
class CareNote:
    """Why a raise is worth a word: a leg under LOW_DEGREES, the legs far apart, or both."""

    low: bool
    lopsided: bool


def worth_a_word(test: SelfTest | None) -> CareNote | None:
    """A low or lopsided raise: the page says when to stop and see a clinician."""
    if test is None:
        return None
    low = min(test.left_angle, test.right_angle) < LOW_DEGREES
    lopsided = side_difference(test) is not None
    return CareNote(low, lopsided) if low or lopsided else None
