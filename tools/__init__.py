"""Developer tools of the PZW platform (not deployed with the services)."""
