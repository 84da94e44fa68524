"""The case workers' web application: server-rendered screens and the one door to the services' APIs."""
