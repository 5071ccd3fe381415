"""Enrollment pages: invitations, sign-up, the participant profile, approval, training."""
