"""Protections of the logins and the pages (issue 12): the client address behind configured proxies, the cache all
processes share, the admin lockout (django-axes), staff two-factor (django-otp) and the Content-Security-Policy."""
