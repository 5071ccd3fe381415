"""The audit trail: who did what and when (HR's and owners' decisions, sign-ins, exports).

Services of the apps above call ``audit.services.record``; this app imports none of them.
"""
