"""Program setup pages for HR admins and the read-only view for program owners."""
