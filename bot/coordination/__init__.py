"""Agencies, roles, invitations, the coordinator's board and roll-up (transport-free)."""
