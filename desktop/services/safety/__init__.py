"""Who may do what and what they did: users and roles, the audit trail, the signed-form lock,
masking, backups.
"""
